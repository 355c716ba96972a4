using System.Text.Json;
using CnnSentinel.Randomness;
using CnnSentinel.Transforms;
using static TorchSharp.torch;

namespace CnnSentinel.Tests.Transforms;

public class AugmentationTests
{
    // 2 bands of 2 × 3:  band 0 = [[1 2 3] [4 5 6]], band 1 = 10 × band 0.
    static Tensor Small() => cat([arange(1, 7, dtype: ScalarType.Float32), arange(10, 70, 10, dtype: ScalarType.Float32)]).reshape(2, 2, 3);

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.allclose(b, rtol: 0, atol: 0);

    static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void FlipsAreExact()
    {
        Assert.Equal([3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40], Values(ImageAugmentations.FlipHorizontal(Small())));
        Assert.Equal([4, 5, 6, 1, 2, 3, 40, 50, 60, 10, 20, 30], Values(ImageAugmentations.FlipVertical(Small())));
    }

    [Fact]
    public void QuarterTurnsAreExactAndCounterClockwise()
    {
        // [[1 2 3] [4 5 6]] turned 90° counter-clockwise is [[3 6] [2 5] [1 4]].
        var turned = ImageAugmentations.Rotate90(Small(), 1);
        Assert.Equal([2L, 3, 2], turned.shape);
        Assert.Equal([3, 6, 2, 5, 1, 4, 30, 60, 20, 50, 10, 40], Values(turned));
        Assert.Equal([6, 5, 4, 3, 2, 1, 60, 50, 40, 30, 20, 10], Values(ImageAugmentations.Rotate90(Small(), 2)));
        Assert.Equal(Values(ImageAugmentations.Rotate90(Small(), -1)), Values(ImageAugmentations.Rotate90(Small(), 3)));
    }

    [Fact]
    public void FlipsAndTurnsTogetherOnNonSquareImagesAreExact()
    {
        var image = Small();
        var both = AugmentationPolicy.Apply(image.unsqueeze(0), [new AugmentationChoice(true, true, 2, 0)]).squeeze(0);
        Assert.True(Same(both, image)); // both flips = half turn, plus another half turn
        var turned = AugmentationPolicy.Apply(image.unsqueeze(0), [new AugmentationChoice(true, false, 1, 0)]).squeeze(0);
        Assert.True(Same(turned, ImageAugmentations.Rotate90(ImageAugmentations.FlipHorizontal(image), 1)));
    }

    [Fact]
    public void RotationMatchesScipyWithMirrorPaddingAndBilinearInterpolation()
    {
        // Reference from tests/CnnSentinel.Tests/Transforms/rotation_reference.py (scipy.ndimage.rotate, order 1, mode 'mirror').
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "tests", "CnnSentinel.Tests", "Transforms", "rotation_reference.json")));
        var image = ToTensor(json.RootElement.GetProperty("image"));
        foreach (var c in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            double degrees = c.GetProperty("degrees").GetDouble();
            var expected = ToTensor(c.GetProperty("expected"));
            var actual = ImageAugmentations.Rotate(image, degrees);
            double worst = (actual - expected).abs().max().item<float>();
            Assert.True(worst < 1e-4, $"{degrees}°: largest difference {worst}");
        }
    }

    [Fact]
    public void RotationByRightAnglesEqualsQuarterTurnsAndZeroIsIdentity()
    {
        var image = rand(13, 8, 8, generator: manual_seed(3));
        Assert.True(ImageAugmentations.Rotate(image, 90).allclose(ImageAugmentations.Rotate90(image, 1), atol: 1e-4));
        Assert.True(ImageAugmentations.Rotate(image, -90).allclose(ImageAugmentations.Rotate90(image, 3), atol: 1e-4));
        Assert.True(ImageAugmentations.Rotate(image, 0).allclose(image, atol: 1e-6));
    }

    [Fact]
    public void RotationPadsByMirroringNotWithZeros()
    {
        // A constant image stays constant under any rotation with reflect padding (zero padding would darken the corners).
        var constant = full(3, 64, 64, 7f);
        var rotated = ImageAugmentations.Rotate(constant, 45);
        Assert.True(rotated.allclose(constant, atol: 1e-4));
    }

    [Fact]
    public void PolicyIsSeededAndWorksOnAnyBandCount()
    {
        var policy = AugmentationPolicy.Original;
        foreach (var bands in new[] { 3, 13 })
        {
            var batch = rand(6, bands, 64, 64, generator: manual_seed(1));
            var a = policy.Apply(batch, 42UL);
            Assert.Equal(batch.shape, a.shape);
            Assert.True(Same(a, policy.Apply(batch, 42UL)));
            Assert.False(Same(a, policy.Apply(batch, 43UL)));
            Assert.True(Same(policy.Apply(batch[0], 42UL), AugmentationPolicy.Apply(batch[0], policy.Draw(42UL, 1))));
        }
        var choices = policy.Draw(42UL, 1000);
        Assert.InRange(choices.Count(c => c.FlipHorizontal), 430, 570);
        Assert.InRange(choices.Count(c => c.FlipVertical), 430, 570);
        Assert.All(choices, c => Assert.InRange(c.RotationDegrees, -45, 45));
        Assert.All(choices, c => Assert.Equal(0, c.QuarterTurns));
        Assert.Contains(choices, c => c.RotationDegrees < -40);
        Assert.Contains(choices, c => c.RotationDegrees > 40);
    }

    [Fact]
    public void ApplyingChoicesEqualsTheSingleOperations()
    {
        var batch = rand(3, 4, 16, 16, generator: manual_seed(5));
        AugmentationChoice[] choices = [new(true, false, 0, 0), new(false, true, 3, 0), new(true, true, 0, 30)];
        var result = AugmentationPolicy.Apply(batch, choices);
        Assert.True(Same(result[0], ImageAugmentations.FlipHorizontal(batch[0])));
        Assert.True(Same(result[1], ImageAugmentations.Rotate90(ImageAugmentations.FlipVertical(batch[1]), 3)));
        var expected = ImageAugmentations.Rotate(ImageAugmentations.FlipVertical(ImageAugmentations.FlipHorizontal(batch[2])), 30);
        Assert.True(result[2].allclose(expected, atol: 1e-5));
        var dihedral = AugmentationPolicy.Dihedral.Draw(new SplitMix64(1));
        Assert.Equal(0, dihedral.RotationDegrees);
    }

    static Tensor ToTensor(JsonElement nested)
    {
        var values = new List<float>();
        var shape = new List<long>();
        void Walk(JsonElement e, int depth)
        {
            if (e.ValueKind != JsonValueKind.Array) { values.Add((float)e.GetDouble()); return; }
            if (shape.Count == depth) shape.Add(e.GetArrayLength());
            foreach (var child in e.EnumerateArray()) Walk(child, depth + 1);
        }
        Walk(nested, 0);
        return tensor(values.ToArray(), shape.ToArray());
    }
}
