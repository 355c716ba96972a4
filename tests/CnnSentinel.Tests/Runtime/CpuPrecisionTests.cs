using CnnSentinel.Runtime;

namespace CnnSentinel.Tests.Runtime;

/// <summary>The choice of bfloat16 or float32 from the CPU's flags, with the fallback forced by a CPU without them.</summary>
public class CpuPrecisionTests
{
    const string WithBf16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 vaes\nbogomips\t: 4800\n";
    const string WithAmx = "processor\t: 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile\n";
    const string Without = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\nmodel name\t: avx512_bf16 in a name is not a flag\n";

    [Fact]
    public void TheFlagsLinesSayWhetherTheCpuHasBFloat16()
    {
        Assert.True(CpuPrecision.HasBFloat16In(WithBf16));
        Assert.True(CpuPrecision.HasBFloat16In(WithAmx));
        Assert.False(CpuPrecision.HasBFloat16In(Without));
        Assert.False(CpuPrecision.HasBFloat16In(""));
    }

    [Fact]
    public void Bf16WithoutTheInstructionsFallsBackToFloat32AndSaysWhy()
    {
        Assert.Equal(ComputePrecision.BFloat16, CpuPrecision.Resolve("bf16", out var none, cpuHasBFloat16: true));
        Assert.Null(none);
        Assert.Equal(ComputePrecision.Float32, CpuPrecision.Resolve("bf16", out var note, cpuHasBFloat16: false));
        Assert.Contains("no bfloat16 instructions", note);
        Assert.Contains("computing in float32", note);
    }

    [Fact]
    public void AutoPicksBFloat16WhereTheCpuHasItAndFloat32QuietlyElsewhere()
    {
        Assert.Equal(ComputePrecision.BFloat16, CpuPrecision.Resolve("auto", out _, cpuHasBFloat16: true));
        Assert.Equal(ComputePrecision.Float32, CpuPrecision.Resolve("auto", out var note, cpuHasBFloat16: false));
        Assert.Null(note);
        Assert.Equal(ComputePrecision.Float32, CpuPrecision.Resolve("float32", out _, cpuHasBFloat16: true));
    }

    /// <summary>Each precision's option value, as reports and file names show it, reads back as that precision.</summary>
    [Fact]
    public void EachPrecisionsOptionValueAsksForIt()
    {
        Assert.Equal("float32", CpuPrecision.OptionValue(ComputePrecision.Float32));
        Assert.Equal("bf16", CpuPrecision.OptionValue(ComputePrecision.BFloat16));
        foreach (var precision in Enum.GetValues<ComputePrecision>())
            Assert.Equal(precision, CpuPrecision.Resolve(CpuPrecision.OptionValue(precision), out _, cpuHasBFloat16: true));
    }

    [Fact]
    public void AnUnknownValueIsRefusedWithTheChoices()
    {
        var error = Assert.Throws<UserErrorException>(() => CpuPrecision.Resolve("fp8", out _));
        Assert.Contains("--precision fp8", error.Message);
        Assert.Contains(CpuPrecision.Names, error.Message);
    }
}
