using CnnSentinel.Randomness;

namespace CnnSentinel.Tests.Randomness;

public class SplitMix64Tests
{
    [Fact]
    public void ProducesTheReferenceSequence()
    {
        // The published SplitMix64 outputs (Vigna's splitmix64.c): seed 0 and seed 1234567.
        var zero = new SplitMix64(0);
        Assert.Equal([0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL], new[] { zero.NextUInt64(), zero.NextUInt64(), zero.NextUInt64() });
        var other = new SplitMix64(1234567);
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL], new[] { other.NextUInt64(), other.NextUInt64(), other.NextUInt64() });
    }

    [Fact]
    public void BoundedIntegersAndDoublesStayInRangeAndLookUniform()
    {
        var random = new SplitMix64(42);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[random.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        for (int i = 0; i < 1000; i++) Assert.InRange(random.NextDouble(-45, 45), -45, 45 - 1e-12);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
    }

    [Fact]
    public void ShuffleIsAPermutationFixedByTheSeed()
    {
        var a = Enumerable.Range(0, 100).ToList();
        var b = Enumerable.Range(0, 100).ToList();
        new SplitMix64(7).Shuffle(a);
        new SplitMix64(7).Shuffle(b);
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(0, 100), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), a);
    }

    [Fact]
    public void DerivedSeedsDependOnEveryPartOfThePath()
    {
        Assert.Equal(SplitMix64.Derive(42, 1, 2), SplitMix64.Derive(42, 1, 2));
        Assert.NotEqual(SplitMix64.Derive(42, 1, 2), SplitMix64.Derive(42, 2, 1));
        Assert.NotEqual(SplitMix64.Derive(42, 1), SplitMix64.Derive(43, 1));
        Assert.NotEqual(SplitMix64.Derive(42, "Forest"), SplitMix64.Derive(42, "River"));
    }
}
