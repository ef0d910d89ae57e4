using SparseDictionary.Cli.Inputs;

namespace SparseDictionary.Cli.Tests;

public sealed class InputParsingTests
{
    [Theory]
    [InlineData("2,3", new[] { 2, 3 })]
    [InlineData("3,2", new[] { 2, 3 })]
    [InlineData("0-3,6", new[] { 0, 1, 2, 3, 6 })]
    [InlineData(" 4 ", new[] { 4 })]
    public void Layer_lists_parse_to_sorted_distinct_layers(string text, int[] expected)
    {
        (int[]? layers, string? error) = LayerList.Parse(text);
        Assert.Null(error);
        Assert.Equal(expected, layers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("1,,2")]
    [InlineData("-1")]
    [InlineData("1-2-3")]
    [InlineData("2-1")]
    [InlineData("1,0-2")]
    [InlineData("9999999")]
    public void Bad_layer_lists_are_errors(string text)
    {
        (int[]? layers, string? error) = LayerList.Parse(text);
        Assert.Null(layers);
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("cpu", false, 0)]
    [InlineData("CPU", false, 0)]
    [InlineData("cuda", true, 0)]
    [InlineData("cuda:3", true, 3)]
    public void Devices_parse(string text, bool isCuda, int index)
    {
        Assert.Equal(new DeviceSpec(isCuda, index), DeviceSpec.TryParse(text));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void Bad_devices_do_not_parse(string text)
    {
        Assert.Null(DeviceSpec.TryParse(text));
    }
}
