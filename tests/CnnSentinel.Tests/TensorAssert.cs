using static TorchSharp.torch;

namespace CnnSentinel.Tests;

/// <summary>Assertions on tensors and model states.</summary>
static class TensorAssert
{
    /// <summary>Same shape and bit-for-bit equal values.</summary>
    public static void Identical(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", expected.shape)}] vs [{string.Join(", ", actual.shape)}]");
        Assert.True(expected.eq(actual).all().item<bool>(), $"{what} differs");
    }

    /// <summary>Every state entry of the two models is identical.</summary>
    public static void SameState(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var key in a.Keys) Identical(a[key], b[key], key);
    }

    /// <summary>Every state entry equals the saved copy.</summary>
    public static void SameState(IReadOnlyDictionary<string, Tensor> expected, nn.Module actual)
    {
        foreach (var (key, value) in actual.state_dict()) Identical(expected[key], value, key);
    }
}
