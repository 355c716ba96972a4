using TorchSharp;

namespace CnnSentinel.Runtime;

/// <summary>
/// TorchSharp <see cref="Scalar"/>s kept alive until this object is disposed, for calls into libtorch that
/// take numbers.
/// </summary>
/// <remarks>
/// <para>Why this exists: TorchSharp turns a number argument (<c>x.mul_(0.9)</c>, <c>x.add_(1)</c>,
/// <c>alpha: lr</c>) into a temporary <see cref="Scalar"/> whose finalizer frees the native value. Once its
/// handle has been passed to native code, nothing managed refers to the temporary any more, so a garbage
/// collection started by another thread (the data loader's workers allocate a batch every few milliseconds)
/// can finalize it while libtorch is still reading it. The result is a use-after-free that shows as
/// "Unknown scalar type" or "Expected false to be true … toLong" from <c>c10/core/Scalar.h</c>, an abort, or
/// silently wrong numbers (TorchSharp issue and pull requests 1434 and 1496, not merged in 0.107).</para>
/// <para>A scalar taken from here is referenced by this object until <see cref="Dispose"/>, which frees it
/// deterministically on the calling thread, so it outlives every native call that uses it.</para>
/// </remarks>
internal sealed class HeldScalars : IDisposable
{
    readonly List<Scalar> _held = [];

    /// <summary>
    /// The integer 1, alive for the whole process: the <c>alpha</c> of additions and subtractions. TorchSharp's
    /// <c>a.add(b)</c>, <c>a.add_(b)</c> and <c>a - b</c> pass a temporary 1 of their own; pass this one instead.
    /// </summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>A scalar for <paramref name="value"/>, alive until this object is disposed.</summary>
    public Scalar Of(double value) => Hold(value.ToScalar());

    /// <summary>A 64-bit integer scalar for <paramref name="value"/>, alive until this object is disposed.</summary>
    public Scalar Of(long value) => Hold(value.ToScalar());

    Scalar Hold(Scalar scalar)
    {
        _held.Add(scalar);
        return scalar;
    }

    /// <summary>Frees every scalar handed out.</summary>
    public void Dispose()
    {
        foreach (var scalar in _held) scalar.Dispose();
        _held.Clear();
    }
}
