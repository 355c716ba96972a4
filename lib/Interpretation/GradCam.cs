using CnnSentinel.Datasets;
using CnnSentinel.Loading;
using CnnSentinel.Notebooks;
using CnnSentinel.Training;
using CnnSentinel.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnSentinel.Interpretation;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017): where in an image the network found the evidence for a class.
/// The feature maps of one convolutional layer are weighted by the mean gradient of the class score
/// with respect to them; the positive part, upsampled to the image, is the heat map.
/// </summary>
public static class GradCam
{
    /// <summary>
    /// Heat maps in [0, 1], [N, H, W], for <paramref name="images"/> [N, C, H, W].
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <param name="images">Normalised input images.</param>
    /// <param name="layer">Name of the layer whose output to explain (as in <c>named_modules()</c>, e.g. <c>features.28</c> or <c>layer4</c>); the last Conv2d when null.</param>
    /// <param name="classes">Class to explain per image; the predicted class when null.</param>
    /// <remarks>The layer's output is captured with a forward hook, so the model must run its layers with
    /// <c>call</c> (as TorchSharp's containers do), not <c>forward</c>.</remarks>
    public static Tensor Compute(nn.Module<Tensor, Tensor> model, Tensor images, string? layer = null, long[]? classes = null)
    {
        var target = FindLayer(model, layer);
        Tensor? activations = null;
        var hook = target.register_forward_hook((_, _, output) =>
        {
            // The library's models free their intermediate tensors when forward returns, and TorchSharp's Sequential
            // disposes each layer's output once the next layer has run: keep this handle out of both, and let the
            // network go on with an alias of it (the same tensor, so the gradient still reaches it).
            activations = output.DetachFromDisposeScope();
            return output.alias();
        });
        try
        {
            return Explain(model, images, () => activations, layer, classes);
        }
        finally
        {
            hook.remove();
            activations?.Dispose();
        }
    }

    static Tensor Explain(nn.Module<Tensor, Tensor> model, Tensor images, Func<Tensor?> captured, string? layer, long[]? classes)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = enable_grad();
        var logits = model.forward(images);
        var activations = captured();
        if (activations is null || activations.dim() != 4)
            throw new ArgumentException($"Layer '{layer ?? "last Conv2d"}' gave no 4-D feature map to explain (was it run with call()?).");
        var chosen = classes is null ? logits.argmax(1) : tensor(classes);
        if (chosen.shape[0] != images.shape[0]) throw new ArgumentException($"{images.shape[0]} images but {chosen.shape[0]} classes to explain.");
        var score = logits.gather(1, chosen.unsqueeze(1)).sum();
        var gradients = autograd.grad([score], [activations])[0];
        var weights = gradients.mean([2, 3], keepdim: true);
        var cam = nn.functional.relu((weights * activations).sum(1, keepdim: true));
        cam = nn.functional.interpolate(cam, size: [images.shape[2], images.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        var flat = cam.flatten(1);
        var low = flat.min(1, keepdim: true).values;
        var high = flat.max(1, keepdim: true).values;
        using var held = new HeldScalars();
        var normalised = ((flat - low) / (high - low).clamp_min(held.Of(1e-12))).reshape(cam.shape);
        return normalised.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The heat maps laid over the images so that both show: where a map is cold the image is unchanged; towards hot, a
    /// yellow-to-red colour covers it, up to <paramref name="opacity"/> where the map is 1.
    /// </summary>
    /// <param name="displayImages">True-colour images, [N, 3, H, W], 0–255 (uint8 or floating, e.g. <see cref="SentinelBands.ToDisplay"/>).</param>
    /// <param name="heatMaps">Maps from <see cref="Compute"/>, [N, H, W] in [0, 1].</param>
    /// <param name="opacity">How much of the colour covers the image where the map is hottest.</param>
    /// <returns>RGB in [0, 1], [N, 3, H, W].</returns>
    public static Tensor Overlay(Tensor displayImages, Tensor heatMaps, double opacity = 0.6)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        Scalar one = held.Of(1.0);
        var image = displayImages.to_type(ScalarType.Float32).div(held.Of(255.0));
        var heat = heatMaps.unsqueeze(1);
        // Hot colour map: yellow (1, 1, 0) at 0 → red (1, 0, 0) at 1; numbers as held scalars (see HeldScalars).
        var colours = cat([ones_like(heat), heat.neg().add(one), zeros_like(heat)], 1);
        var alpha = heat.mul(held.Of(opacity));
        return image.mul(alpha.neg().add(one)).add_(colours.mul(alpha), HeldScalars.One).clamp(held.Of(0.0), one).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Grad-CAM over a balanced set: the first <paramref name="perClass"/> images of each class found in
    /// <paramref name="batches"/> (e.g. the validation split in order), read back from <paramref name="dataset"/> by
    /// their keys; each tile is the image on the left and its heat map drawn over it on the right, so that what the map
    /// covers stays visible. Tiles run in class order (all first images, then all second ones), <see cref="PairsPerRow"/>
    /// to a row, captioned with the true class and, below it, "→ predicted".
    /// </summary>
    public static ImageBatch Gallery(nn.Module<Tensor, Tensor> model, IEnumerable<TrainingBatch> batches, EuroSatDataset dataset, int perClass = 1, string? layer = null)
    {
        using var scope = NewDisposeScope();
        int classes = dataset.Classes.Count;
        var chosen = new List<(Tensor Input, long Label, string Key, int Rank)>();
        var perLabel = new int[classes];
        foreach (var batch in batches)
        {
            using (batch)
            {
                var keys = batch.Keys ?? throw new ArgumentException("The batches carry no keys to read the images back.");
                var labels = batch.Labels.data<long>().ToArray();
                for (int i = 0; i < labels.Length; i++)
                    if (perLabel[labels[i]] < perClass) chosen.Add((batch.Inputs[i].detach().clone(), labels[i], keys[i], perLabel[labels[i]]++));
            }
            if (perLabel.All(n => n >= perClass)) break;
        }
        if (chosen.Count == 0) throw new ArgumentException("The batches hold no images.");
        // Column by class, row by the k-th image of the class.
        chosen = chosen.OrderBy(c => c.Rank).ThenBy(c => c.Label).ToList();
        var inputs = stack(chosen.Select(c => c.Input).ToArray());
        var maps = Compute(model, inputs, layer);
        long[] predicted;
        using (no_grad()) predicted = model.forward(inputs).argmax(1).data<long>().ToArray();
        var byPath = dataset.Samples.ToDictionary(s => s.RelativePath);
        var display = SentinelBands.ToDisplay(dataset.ReadImages(chosen.Select(c => byPath[c.Key]).ToList()));
        using var held = new HeldScalars();
        var captions = chosen.Select((c, i) => $"{dataset.Classes[(int)c.Label]}\n→ {dataset.Classes[(int)predicted[i]]}").ToList();
        // uint8 throughout (display is): ImageBatch would stretch floating images one by one, and an image and its overlay must match.
        var image = display;
        var overlay = Overlay(display, maps).mul(held.Of(255.0)).round().to_type(ScalarType.Byte);
        var separator = full(image.shape[0], 3, image.shape[2], PairSeparator, (byte)255, ScalarType.Byte);
        return new ImageBatch(cat([image, separator, overlay], 3).MoveToOuterDisposeScope(), captions,
            Columns: Math.Min(PairsPerRow, chosen.Count), Zoom: 2);
    }

    /// <summary>Image-and-heat-map tiles per row of <see cref="Gallery"/>: four tiles of 2 × 130 px stay within a
    /// notebook page's width.</summary>
    public const int PairsPerRow = 4;

    /// <summary>White columns between an image and its heat map in a <see cref="Gallery"/> tile.</summary>
    const int PairSeparator = 2;

    static nn.Module<Tensor, Tensor> FindLayer(nn.Module<Tensor, Tensor> model, string? name)
    {
        var modules = model.named_modules().ToList();
        if (name is not null)
        {
            var found = modules.FirstOrDefault(m => m.name == name).module
                ?? throw new ArgumentException($"The model has no layer '{name}'. Layers: {string.Join(", ", modules.Select(m => m.name).Where(n => n.Length > 0).Take(40))}");
            return found as nn.Module<Tensor, Tensor> ?? throw new ArgumentException($"Layer '{name}' does not map a tensor to a tensor.");
        }
        return modules.Select(m => m.module).OfType<Conv2d>().LastOrDefault()
            ?? throw new ArgumentException("The model has no Conv2d layer; name the layer to explain.");
    }
}
