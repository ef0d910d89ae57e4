using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges.Features;
using SparseDictionary.Features;
using SparseDictionary.Formats;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;

namespace SparseDictionary.Cli.Tests;

/// <summary>
/// <c>sdict browse</c> on the llama2.c fixture with the exact identity SAE, the pages rendered in headless Chromium from
/// <c>file://</c>: the index lists the latents, a latent page shows its top context with every token and its shading.
/// </summary>
public sealed partial class BrowseCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    [GeneratedRegex("""<div class="ex">(.*?)</div>""", RegexOptions.Singleline)]
    private static partial Regex ExampleRow();

    [GeneratedRegex("""<span class="tok( focus)?"([^>]*)>([^<]*)</span>""")]
    private static partial Regex TokenSpan();

    [GeneratedRegex("([a-z-]+)=\"([^\"]*)\"")]
    private static partial Regex Attribute();

    [GeneratedRegex("""<tr><td><a href="latent\.html#(\d+)">""")]
    private static partial Regex IndexRow();

    [Fact]
    public void The_site_renders_in_chromium_with_the_top_context_shaded_by_activation()
    {
        string site = Path.Combine(files.NewFolder(), "site");
        CliRun run = CliRun.Of("browse", "--sae", files.IdentitySae, "--model", TestPaths.Stories260K, "--corpus", files.Corpus,
            "--max-tokens", "256", "--context", "64", "--top", "5", "--output", site).Succeeded();
        Assert.Contains("128 latents", run.Output);

        // The expected statistics, from the library on the same windows (256 tokens of 64-token windows).
        FeatureStatisticsResult expected = ExpectedStatistics(256, 64, 5);
        int latent = Enumerable.Range(0, expected.DSae).MaxBy(expected.MaxActivation);
        FeatureExample top = expected.TopExamples(latent)[0];
        string[] vocabulary = TokenText.Vocabulary(Llama2cTokenizer.Load(TestPaths.Tok512, 512));

        string dom = HeadlessChromium.DumpDom(new Uri(Path.Combine(site, "latent.html")) + "#" + latent);
        Match firstRow = ExampleRow().Match(dom);
        Assert.True(firstRow.Success, "The latent page shows no example:\n" + dom[..Math.Min(dom.Length, 3000)]);
        MatchCollection spans = TokenSpan().Matches(firstRow.Groups[1].Value);
        Assert.True(spans.Count > 0, "The first example has no token spans: " + firstRow.Value);
        Assert.Equal(top.Tokens.Select(t => vocabulary[t]), spans.Select(s => WebUtility.HtmlDecode(s.Groups[3].Value)));
        for (int i = 0; i < spans.Count; i++)
        {
            Dictionary<string, string> attributes = Attribute().Matches(spans[i].Groups[2].Value).ToDictionary(a => a.Groups[1].Value, a => a.Groups[2].Value);
            Assert.Equal(top.Activations[i], float.Parse(attributes["data-act"], CultureInfo.InvariantCulture), 3);
            Assert.Equal(i == top.Focus, spans[i].Groups[1].Success);
            // Shaded where the latent fired, in proportion to the page's top activation: the example's own token fully.
            if (top.Activations[i] > 0)
            {
                Assert.Contains("background-color: rgb", attributes["style"]);
                Assert.Equal(top.Activations[i] / top.Activation, double.Parse(attributes["data-shade"], CultureInfo.InvariantCulture), 3);
            }
            else
            {
                Assert.False(attributes.ContainsKey("style"), $"token {i} is shaded but its activation is 0");
            }
        }
        Assert.Equal("1.000", Attribute().Matches(spans[top.Focus].Groups[2].Value).Single(a => a.Groups[1].Value == "data-shade").Groups[2].Value);
        Assert.Contains($"Latent {latent}", dom);

        // The index lists the latents that fired, most frequent first, each linking to its page.
        string index = HeadlessChromium.DumpDom(new Uri(Path.Combine(site, "index.html")).ToString());
        int[] listed = [.. IndexRow().Matches(index).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
        int alive = Enumerable.Range(0, expected.DSae).Count(i => expected.FireCount(i) > 0);
        Assert.Equal(alive, listed.Length);
        Assert.Equal(listed.Select(expected.Frequency).OrderDescending(), listed.Select(expected.Frequency));

        string png = Path.Combine(files.NewFolder(), "latent.png");
        HeadlessChromium.Screenshot(new Uri(Path.Combine(site, "latent.html")) + "#" + latent, png);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, $"The screenshot has only {bytes.Length} bytes.");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    [Fact]
    public void Help_names_the_options()
    {
        string help = CliRun.Of("browse", "--help").Succeeded().Output;
        foreach (string option in new[] { "--sae", "--hook", "--model", "--corpus", "--max-tokens", "--output", "--top", "--logit-tokens", "--device" })
        {
            Assert.Contains(option, help);
        }
        Assert.Contains("  browse ", CliRun.Of("--help").Succeeded().Output);
    }

    [Fact]
    public void A_missing_sae_folder_is_one_line_and_exit_code_3()
    {
        CliRun run = CliRun.Of("browse", "--sae", Path.Combine(files.Folder, "nope"), "--model", TestPaths.Stories260K, "--corpus", files.Corpus,
            "--output", files.NewFolder());
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("--sae", run.Error);
    }

    [Fact]
    public void A_too_narrow_sae_is_one_line_and_exit_code_5()
    {
        CliRun run = CliRun.Of("browse", "--sae", files.NarrowSae, "--model", TestPaths.Stories260K, "--corpus", files.Corpus,
            "--output", files.NewFolder());
        Assert.Equal(ExitCodes.Incompatible, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("d_in is 32", run.Error);
    }

    [Fact]
    public void An_empty_corpus_is_one_line_and_writes_no_site()
    {
        string empty = Path.Combine(files.NewFolder(), "empty.txt");
        File.WriteAllText(empty, "");
        string output = Path.Combine(files.NewFolder(), "site");
        CliRun run = CliRun.Of("browse", "--sae", files.IdentitySae, "--model", TestPaths.Stories260K, "--corpus", empty, "--output", output);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        // Progress lines precede it on standard error; the error itself is one line.
        Assert.Equal($"error: --corpus: '{empty}' yielded no tokens.", Assert.Single(run.ErrorLines, l => l.StartsWith("error", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_zero_top_is_a_usage_error()
    {
        CliRun run = CliRun.Of("browse", "--sae", files.IdentitySae, "--model", TestPaths.Stories260K, "--corpus", files.Corpus,
            "--output", files.NewFolder(), "--top", "0");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("--top", run.Error);
    }

    private FeatureStatisticsResult ExpectedStatistics(long maxTokens, int context, int top)
    {
        using LlamaModel model = Llama2cCheckpoint.Load(TestPaths.Stories260K);
        var tokenizer = Llama2cTokenizer.Load(TestPaths.Tok512, 512);
        using ISparseAutoencoder sae = SaeLensFolder.Load(files.IdentitySae, TorchSharp.torch.CPU);
        var windows = new ContextWindows(tokenizer, new ContextWindowOptions { ContextLength = context })
            .Enumerate(new PlainTextSource(files.Corpus, DocumentSplit.WholeFile).ReadDocuments());
        return FeatureCollector.Collect(model, sae, HookPoint.Parse(CliFixture.HookName), windows, 8, maxTokens, new FeatureStatisticsOptions { TopExamples = top });
    }
}
