using CnnSentinel.Interpretation;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Interpretation;

public class GradCamTests
{
    /// <summary>Channel 0 holds a "left object", channel 1 a "right object"; class k's score is the sum of channel k.</summary>
    sealed class TwoObjectClassifier : nn.Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Conv2d conv = nn.Conv2d(2, 2, 1);

        public TwoObjectClassifier() : base("two_objects")
        {
            using (no_grad())
            {
                conv.weight!.copy_(eye(2).reshape(2, 2, 1, 1));
                conv.bias!.zero_();
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => conv.call(x).sum([2, 3]); // call, not forward: hooks run in call
    }

    static Tensor Images()
    {
        var x = zeros(1, 2, 8, 8);
        x[0, 0, TensorIndex.Slice(2, 4), TensorIndex.Slice(1, 3)] = tensor(1f); // left object
        x[0, 1, TensorIndex.Slice(4, 6), TensorIndex.Slice(5, 7)] = tensor(1f); // right object
        return x;
    }

    [Fact]
    public void TheMapOfAClassLightsUpItsOwnObject()
    {
        var model = new TwoObjectClassifier();
        var left = GradCam.Compute(model, Images(), classes: [0]);
        var right = GradCam.Compute(model, Images(), classes: [1]);
        Assert.Equal(new long[] { 1, 8, 8 }, left.shape);
        Assert.Equal(1f, left[0, 3, 2].item<float>(), 5);
        Assert.Equal(0f, left[0, 5, 6].item<float>(), 5);
        Assert.Equal(1f, right[0, 5, 6].item<float>(), 5);
        Assert.Equal(0f, right[0, 3, 2].item<float>(), 5);
        Assert.True(left.min().item<float>() >= 0 && left.max().item<float>() <= 1);
    }

    [Fact]
    public void WorksOnTheLibrarysNetworks()
    {
        // Their blocks free intermediate tensors on return; the captured feature map must survive that.
        var maps = GradCam.Compute(CnnSentinel.Models.ResNet.ResNet18(classes: 3), rand(2, 3, 32, 32));
        Assert.Equal(new long[] { 2, 32, 32 }, maps.shape);
        Assert.True(maps.min().item<float>() >= 0 && maps.max().item<float>() <= 1);
        var layer4 = GradCam.Compute(CnnSentinel.Models.ResNet.ResNet18(classes: 3), rand(1, 3, 32, 32), layer: "layer4");
        Assert.Equal(new long[] { 1, 32, 32 }, layer4.shape);
    }

    [Fact]
    public void AnUnknownLayerNameIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => GradCam.Compute(new TwoObjectClassifier(), Images(), layer: "layer9"));
        Assert.Contains("no layer 'layer9'", error.Message);
        Assert.Contains("conv", error.Message);
    }

    [Fact]
    public void OverlayLeavesColdPixelsAsTheImageAndColoursHotOnesRed()
    {
        var images = (rand(2, 3, 8, 8) * 255).round();
        var heat = zeros(2, 8, 8);
        heat[TensorIndex.Colon, 0, 0] = tensor(1f);
        var overlay = GradCam.Overlay(images, heat, opacity: 0.6);
        Assert.Equal(new long[] { 2, 3, 8, 8 }, overlay.shape);
        var cold = overlay[TensorIndex.Colon, TensorIndex.Colon, 1..];
        Assert.True(cold.allclose(images[TensorIndex.Colon, TensorIndex.Colon, 1..] / 255, rtol: 0, atol: 1e-6));
        var pixel = images[0, TensorIndex.Colon, 0, 0] / 255;
        var expected = pixel * 0.4 + tensor(new[] { 0.6f, 0f, 0f });
        Assert.True(overlay[0, TensorIndex.Colon, 0, 0].allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void TheGalleryShowsOneImagePerClassWithTrueAndPredictedClass()
    {
        manual_seed(3);
        var model = new CnnSentinel.Models.SceneCnn();
        var data = CnnSentinel.Training.EuroSatTrainingData.Open(PatchFixtures.BundledRgb);
        var gallery = GradCam.Gallery(model, data.Validation.Batches(0), data.Dataset, perClass: 2);
        int classes = data.Dataset.Classes.Count;
        // Each tile: the image, two white columns, the image under its heat map.
        Assert.Equal(new long[] { 2 * classes, 3, 64, 64 + 2 + 64 }, gallery.Images.shape);
        Assert.Equal(ScalarType.Byte, gallery.Images.dtype);
        Assert.Equal(GradCam.PairsPerRow, gallery.Columns);
        // The k-th image of every class, in class order, then the next.
        Assert.Equal(data.Dataset.Classes.Concat(data.Dataset.Classes), gallery.Captions!.Select(c => c.Split('\n')[0]));
        Assert.All(gallery.Captions!, c => Assert.Contains("\n→ ", c));
        // The left half is the patch as read from disk, unchanged.
        var firstKey = data.Validation.Batches(0).SelectMany(b => b.Keys!.Zip(b.Labels.data<long>().ToArray())).First(k => k.Second == 0).First;
        var firstImage = data.Dataset.ReadImages([data.Dataset.Samples.Single(s => s.RelativePath == firstKey)])[0];
        Assert.True(gallery.Images[0].narrow(2, 0, 64).eq(firstImage.round().to_type(ScalarType.Byte)).all().item<bool>());
        Assert.Equal(255, gallery.Images[0].narrow(2, 64, 2).min().item<byte>());
    }
}
