using CnnSentinel.Datasets;
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
            // The library's models free their intermediate tensors when forward returns; keep this one.
            activations = output.DetachFromDisposeScope();
            return output;
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
    /// The heat maps laid over the images (for <see cref="Notebooks.ImageBatch"/>): a blue-to-red colour
    /// ramp blended with a grey-scale version of each image.
    /// </summary>
    /// <param name="displayImages">Images to draw under the maps, [N, C, H, W] in any range (e.g. the RGB bands).</param>
    /// <param name="heatMaps">Maps from <see cref="Compute"/>, [N, H, W] in [0, 1].</param>
    /// <param name="opacity">Weight of the map in the blend.</param>
    public static Tensor Overlay(Tensor displayImages, Tensor heatMaps, double opacity = 0.5)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        Scalar zero = held.Of(0.0), one = held.Of(1.0), two = held.Of(2.0);
        var grey = displayImages.to_type(ScalarType.Float32).mean([1], keepdim: true);
        var flat = grey.flatten(1);
        var low = flat.min(1, keepdim: true).values.unsqueeze(-1).unsqueeze(-1);
        var high = flat.max(1, keepdim: true).values.unsqueeze(-1).unsqueeze(-1);
        grey = ((grey - low) / (high - low).clamp_min(held.Of(1e-12))).expand(-1, 3, -1, -1);
        // Blue (cold) → green → red (hot), from s = 2m − 1 in [−1, 1]; numbers as held scalars (see HeldScalars).
        var s = heatMaps.unsqueeze(1).mul(two).sub(one);
        var colours = cat([s.clamp(zero, one), s.abs().neg().add_(one, HeldScalars.One), s.neg().clamp(zero, one)], 1);
        return grey.mul(held.Of(1 - opacity)).add_(colours.mul(held.Of(opacity)), HeldScalars.One).clamp(zero, one).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Grad-CAM of the first <paramref name="count"/> images of <paramref name="batch"/> over the images read back
    /// from <paramref name="dataset"/> by their keys, captioned with the predicted class.
    /// </summary>
    public static ImageBatch Gallery(nn.Module<Tensor, Tensor> model, TrainingBatch batch, EuroSatDataset dataset, int count = 8, string? layer = null)
    {
        var keys = batch.Keys ?? throw new ArgumentException("The batch carries no keys to read the images back.");
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        int n = (int)Math.Min(count, batch.Inputs.shape[0]);
        var inputs = batch.Inputs.narrow(0, 0, n);
        var maps = Compute(model, inputs, layer);
        long[] predicted;
        using (no_grad()) predicted = model.forward(inputs).argmax(1).data<long>().ToArray();
        var byPath = dataset.Samples.ToDictionary(s => s.RelativePath);
        var images = dataset.ReadImages(keys.Take(n).Select(k => byPath[k]).ToList());
        var display = dataset.BandCount == 3 ? images : images.index_select(1, tensor(new long[] { 3, 2, 1 }));
        return new ImageBatch(Overlay(display, maps).mul(held.Of(255.0)).MoveToOuterDisposeScope(), predicted.Select(p => dataset.Classes[(int)p]).ToList(), Columns: n);
    }

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
