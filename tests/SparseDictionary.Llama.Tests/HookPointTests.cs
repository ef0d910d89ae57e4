using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class HookPointTests
{
    [Theory]
    [InlineData("blocks.0.hook_resid_pre", 0, HookSite.ResidualPre)]
    [InlineData("blocks.3.hook_attn_out", 3, HookSite.AttentionOut)]
    [InlineData("blocks.12.hook_resid_mid", 12, HookSite.ResidualMid)]
    [InlineData("blocks.7.hook_mlp_out", 7, HookSite.MlpOut)]
    [InlineData("blocks.31.hook_resid_post", 31, HookSite.ResidualPost)]
    public void ParseAndFormat_RoundTrip(string name, int layer, HookSite site)
    {
        HookPoint point = HookPoint.Parse(name);

        Assert.Equal(new HookPoint(layer, site), point);
        Assert.Equal(name, point.Name);
        Assert.Equal(name, point.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("blocks..hook_resid_pre")]
    [InlineData("blocks.-1.hook_resid_pre")]
    [InlineData("blocks.+1.hook_resid_pre")]
    [InlineData("blocks.01.hook_resid_pre")]
    [InlineData("blocks.1.hook_resid_pre ")]
    [InlineData("Blocks.1.hook_resid_pre")]
    [InlineData("blocks.1.hook_z")]
    [InlineData("blocks.1.attn.hook_z")]
    [InlineData("blocks.99999999999.hook_resid_pre")]
    [InlineData("ln_final.hook_normalized")]
    public void Parse_RejectsOtherNames(string name)
    {
        Assert.False(HookPoint.TryParse(name, out _));
        Assert.Throws<FormatException>(() => HookPoint.Parse(name));
    }

    [Fact]
    public void Points_OrderAsTheForwardPassReachesThem()
    {
        HookPoint[] points = [new(1, HookSite.ResidualPre), new(0, HookSite.ResidualPost), new(1, HookSite.MlpOut), new(0, HookSite.AttentionOut)];

        Assert.Equal(["blocks.0.hook_attn_out", "blocks.0.hook_resid_post", "blocks.1.hook_resid_pre", "blocks.1.hook_mlp_out"], points.Order().Select(p => p.Name));
        Assert.True(new HookPoint(2, HookSite.ResidualPost) < new HookPoint(3, HookSite.ResidualPre));
    }

    [Fact]
    public void Constructor_RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HookPoint(-1, HookSite.ResidualPre));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HookPoint(0, (HookSite)42));
    }
}
