using SparseDictionary.Runtime;
using Xunit;

namespace SparseDictionary.Tests.Runtime;

public class NativeAllocatorTests
{
    [Theory]
    [InlineData("0", true)]
    [InlineData(" off ", true)]
    [InlineData("FALSE", true)]
    [InlineData("no", true)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void TheEnvironmentVariableSwitchesItOff(string? value, bool off)
    {
        Assert.Equal(off, NativeAllocator.SwitchedOffBy(value));
        Assert.Equal(off ? NativeAllocatorStatus.Disabled : null, NativeAllocator.Decide(new NativeAllocatorOptions(), value, isGlibc: true));
    }

    [Fact]
    public void TheOptionSwitchesItOffAndOtherCLibrariesAreLeftAlone()
    {
        Assert.Equal(NativeAllocatorStatus.Disabled, NativeAllocator.Decide(new NativeAllocatorOptions { Enabled = false }, null, isGlibc: true));
        Assert.Equal(NativeAllocatorStatus.Unsupported, NativeAllocator.Decide(new NativeAllocatorOptions(), null, isGlibc: false));
    }

    [Fact]
    public void DetectsGlibcAndAppliesTheThresholdsThere()
    {
        // Independent evidence of glibc: this process has mapped glibc's libc.so.6 (musl's is ld-musl-*.so.1).
        bool glibc = OperatingSystem.IsLinux() && File.ReadAllText("/proc/self/maps").Contains("/libc.so.6");
        Assert.Equal(glibc, NativeAllocator.IsGlibc());

        var status = NativeAllocator.Configure();
        var expected = NativeAllocator.SwitchedOffBy(Environment.GetEnvironmentVariable(NativeAllocator.EnvironmentVariable))
            ? NativeAllocatorStatus.Disabled
            : glibc ? NativeAllocatorStatus.Applied : NativeAllocatorStatus.Unsupported;
        Assert.Equal(expected, status);
        Assert.Equal(status, NativeAllocator.Configure()); // once per process
        Assert.Equal(status, NativeAllocator.Status);
    }

    [Fact]
    public void RejectsNonPositiveThresholds()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new NativeAllocatorOptions { MmapThresholdBytes = 0 }.Validate());
        Assert.Equal("MmapThresholdBytes", error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new NativeAllocatorOptions { TrimThresholdBytes = -5 }.Validate());
        Assert.Equal("TrimThresholdBytes", error.ParamName);
    }
}
