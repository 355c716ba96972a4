namespace CnnSentinel.Randomness;

/// <summary>
/// A small seeded pseudo-random generator, written out here so that splits, shuffles and augmentations
/// give the same numbers on every machine and every .NET version (System.Random's algorithm is not
/// guaranteed to stay the same).
/// </summary>
/// <remarks>
/// The algorithm is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): the state advances by the constant 0x9E3779B97F4A7C15 and each output is the state
/// passed through a 64-bit finaliser. <see cref="Derive(ulong, long[])"/> makes independent streams from a
/// seed and a path of numbers (epoch, batch, image …), so that what one image gets does not depend on
/// how many numbers were drawn before it or on which thread draws them.
/// </remarks>
internal sealed class SplitMix64
{
    const ulong Golden = 0x9E3779B97F4A7C15UL;
    ulong _state;

    /// <summary>A generator whose sequence is fixed by <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => Finalise(_state += Golden);

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double NextDouble(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool NextBool(double probability = 0.5) => NextDouble() < probability;

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias (rejection sampling).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong range = (ulong)bound;
        ulong limit = ulong.MaxValue - ulong.MaxValue % range; // largest multiple of range
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (int)(value % range);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates, from the last position down).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A seed for an independent stream, derived from <paramref name="seed"/> and a path of numbers.</summary>
    public static ulong Derive(ulong seed, params long[] path)
    {
        ulong state = Finalise(seed ^ 0x5EED5EED5EED5EEDUL);
        foreach (var part in path) state = Finalise(state + Golden + (ulong)part * 0xD1B54A32D192ED03UL);
        return state;
    }

    /// <summary>A seed derived from <paramref name="seed"/> and a text (FNV-1a of its UTF-16 code units), e.g. a class name.</summary>
    public static ulong Derive(ulong seed, string text)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (char c in text) hash = (hash ^ c) * 0x100000001B3UL;
        return Derive(seed, (long)hash);
    }

    static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
