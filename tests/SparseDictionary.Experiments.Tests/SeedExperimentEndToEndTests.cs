using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Evaluation;
using SparseDictionary.Experiments.Results;
using SparseDictionary.Experiments.Seed;
using SparseDictionary.Formats;
using SparseDictionary.Llama.Tests;
using Xunit;

namespace SparseDictionary.Experiments.Tests;

/// <summary>
/// The whole seed experiment, shrunk: the 260K-parameter llama2.c fixture model (Hugging Face copy) on a small
/// WikiText-shaped corpus, every planned run at two layers, results files and plots written.
/// </summary>
public sealed class SeedExperimentEndToEndTests : IClassFixture<SeedExperimentEndToEndTests.Run>
{
    private readonly Run _run;

    public SeedExperimentEndToEndTests(Run run) => _run = run;

    [Fact]
    public void EveryPlannedRunRanAtEachDefaultLayer()
    {
        // stories260K has 5 layers: block 2, the middle (2) and the second-to-last (3).
        Assert.Equal(5, _run.Result.ModelLayers);
        Assert.Equal(new[] { 2, 3 }, _run.Result.Runs.Select(r => r.Layer).Distinct());
        int perLayer = SeedExperimentPlan.RunsFor(_run.Options).Count;
        Assert.Equal(2 * perLayer, _run.Result.Runs.Count);
        Assert.All(_run.Result.Runs, r => Assert.Equal(_run.Options.Steps, r.StepsCompleted));
        Assert.All(_run.Result.Runs, r => Assert.Equal($"blocks.{r.Layer}.hook_resid_post", r.HookPoint));
    }

    [Fact]
    public void LossRecovered_IsConsistentWithTheLayerBaselines()
    {
        foreach (RunResult r in _run.Result.Runs)
        {
            LayerBaseline baseline = _run.Result.Baselines.Single(b => b.Layer == r.Layer);
            // Every SAE at a layer is scored on the same windows: the clean and ablated CE are the layer's.
            Assert.Equal(baseline.CeClean, r.Metric(LossRecoveredMetricNames.CeLossWithoutSae), 6);
            Assert.Equal(baseline.CeZeroAblated, r.Metric(LossRecoveredMetricNames.CeLossWithAblation), 6);
            double expected = 1 - (r.Metric(LossRecoveredMetricNames.CeLossWithSae) - baseline.CeClean) / (baseline.CeZeroAblated - baseline.CeClean);
            Assert.Equal(expected, r.Metric(LossRecoveredMetricNames.CeLossScore), 9);
        }
        // Zeroing the residual stream destroys the model's predictions.
        Assert.All(_run.Result.Baselines, b => Assert.True(b.CeZeroAblated > b.CeClean + 0.5, $"{b.CeZeroAblated} vs {b.CeClean}"));
    }

    [Fact]
    public void Metrics_AreFiniteAndInRange()
    {
        foreach (RunResult r in _run.Result.Runs)
        {
            // TopK keeps exactly k latents per token (fewer only where pre-activations are ≤ 0).
            if (r.Config.Architecture is TopKSpec topK) Assert.InRange(r.Metric(MetricNames.L0), 0, topK.K);
            Assert.InRange(r.Metric(MetricNames.DeadFraction), 0, 1);
            Assert.InRange(r.Metric(MetricNames.L0), 0, r.Config.ExpansionFactor * _run.Result.DModel);
            Assert.True(double.IsFinite(r.Metric(MetricNames.Mse)) && r.Metric(MetricNames.Mse) >= 0);
            Assert.Equal(r.Config.ExpansionFactor * _run.Result.DModel, r.FiringHistogram.Counts.Sum());
        }
    }

    [Fact]
    public void Files_AreWrittenAndReadBack()
    {
        SeedExperimentResult back = ResultsWriter.Read(Path.Combine(_run.Output, ResultsWriter.JsonFileName));
        Assert.Equal(_run.Result.Runs.Count, back.Runs.Count);
        Assert.Equal(_run.Result.Runs[3].Config, back.Runs[3].Config);
        Assert.Equal(_run.Result.Runs[3].Metrics[MetricNames.L0], back.Runs[3].Metrics[MetricNames.L0]);

        string[] csv = File.ReadAllLines(Path.Combine(_run.Output, ResultsWriter.CsvFileName));
        Assert.Equal(_run.Result.Runs.Count + 1, csv.Length);
        Assert.StartsWith("layer,hook_point,family,variant,name,architecture,parameters,sparsity,learning_rate_shape,resampling,steps,expansion_factor,",
            csv[0], StringComparison.Ordinal);
        string[] header = csv[0].Split(',');
        int parameters = Array.IndexOf(header, "parameters"), sparsity = Array.IndexOf(header, "sparsity");
        // The sparsity column is k for the TopK-style runs, λ0 for JumpReLU and λ otherwise.
        Assert.Equal(_run.Result.Runs.Select(r => r.Config.Architecture switch
            {
                TopKFamilySpec t => FormattableString.Invariant($"k={t.K}"),
                JumpReluSpec j => FormattableString.Invariant($"λ0={j.L0Coefficient}"),
                StandardSpec st => FormattableString.Invariant($"λ={st.L1Coefficient}"),
                GatedSpec g => FormattableString.Invariant($"λ={g.L1Coefficient}"),
                var other => throw new InvalidOperationException(other.ToString()),
            }),
            csv.Skip(1).Select(line => line.Split(',')[sparsity]));
        // k is a parameter of the TopK-style runs only.
        Assert.Equal(_run.Result.Runs.Select(r => r.Config.Architecture is TopKFamilySpec t ? FormattableString.Invariant($"k={t.K}") : null),
            csv.Skip(1).Select(line => line.Split(',')[parameters].Split(';').SingleOrDefault(p => p.StartsWith("k=", StringComparison.Ordinal))));

        // Four plots per layer, each a PNG.
        Assert.Equal(8, _run.Plots.Count);
        Assert.All(_run.Plots, p => Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(p)[..4]));

        // Each SAE is a SAELens folder that loads back with its hook point.
        RunResult first = _run.Result.Runs[0];
        string folder = Path.Combine(_run.Output, "saes", $"layer{first.Layer}", first.Config.Name);
        Assert.Equal(first.HookPoint, SaeLensFolder.ReadConfig(folder).Metadata.HookName);
    }

    [Fact]
    public void EachLayer_HasAFeatureBrowserOfItsSelectedSae()
    {
        Assert.Equal(new[] { 2, 3 }, _run.Result.Browsers!.Select(b => b.Layer));
        foreach (LayerBrowser browser in _run.Result.Browsers!)
        {
            // Recomputed independently: the best CE loss recovered among eligible runs, else among all.
            RunResult[] layerRuns = [.. _run.Result.Runs.Where(r => r.Layer == browser.Layer)];
            RunResult[] eligible = [.. layerRuns.Where(r => r.Metric(MetricNames.L0) <= _run.Options.BrowserSelection.MaxL0
                && r.Metric(MetricNames.DeadFraction) <= _run.Options.BrowserSelection.MaxDeadFraction)];
            RunResult expected = (eligible.Length > 0 ? eligible : layerRuns).MaxBy(r => r.Metric(LossRecoveredMetricNames.CeLossScore))!;
            Assert.Equal(expected.Config.Name, browser.RunName);
            Assert.Equal($"browse/layer{browser.Layer}/index.html", browser.IndexPath);
            // The collector stops after the forward pass (8 windows of 64) that reaches the budget.
            Assert.InRange(browser.Tokens, _run.Options.BrowserTokens, _run.Options.BrowserTokens + 8 * 64);

            string site = Path.GetDirectoryName(Path.Combine(_run.Output, browser.IndexPath))!;
            Assert.True(File.Exists(Path.Combine(site, "index.html")) && File.Exists(Path.Combine(site, "latent.html")));
            // The site's title names the run (the page reads it from meta.js).
            Assert.Contains(browser.RunName, File.ReadAllText(Path.Combine(site, "data", "meta.js")), StringComparison.Ordinal);
            Assert.Contains($"Feature browser of {browser.RunName} ({browser.Tokens} held-out tokens): {browser.IndexPath}",
                ResultsWriter.Table(_run.Result), StringComparison.Ordinal);
        }
        SeedExperimentResult back = ResultsWriter.Read(Path.Combine(_run.Output, ResultsWriter.JsonFileName));
        Assert.Equal(_run.Result.Browsers, back.Browsers);
    }

    [Fact]
    public void Table_HasALinePerRunAndTheBaselines()
    {
        string table = ResultsWriter.Table(_run.Result);
        Assert.Contains("Layer 2 (blocks.2.hook_resid_post): CE clean", table, StringComparison.Ordinal);
        string[] families = [.. _run.Result.Runs.Select(r => r.Family).Distinct()];
        Assert.Equal(7, families.Length);
        Assert.Equal(_run.Result.Runs.Count, table.Split('\n').Count(l => families.Any(f => l.StartsWith($"  {f} ", StringComparison.Ordinal))));
        Assert.Contains(" k=16 ", table, StringComparison.Ordinal);
        // Columns line up: the family column is as wide as the longest family (matryoshka_batchtopk), so every variant
        // starts at the same place.
        var variantStarts = new HashSet<int>();
        foreach (string line in table.Split('\n'))
        {
            string? family = families.FirstOrDefault(f => line.StartsWith($"  {f} ", StringComparison.Ordinal));
            if (family is null) continue;
            int start = 2 + family.Length;
            while (line[start] == ' ') start++;
            variantStarts.Add(start);
        }
        Assert.Equal(3 + families.Max(f => f.Length), Assert.Single(variantStarts));
    }

    /// <summary>Runs the shrunk experiment once for the class.</summary>
    public sealed class Run : IDisposable
    {
        private readonly TempDirectory _temp = new();

        public Run()
        {
            string model = Directory.CreateDirectory(_temp.File("model")).FullName;
            foreach (string file in Directory.GetFiles(Fixtures.Stories260KHf)) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
            File.Copy(Fixtures.Tok512, Path.Combine(model, "tokenizer.bin"));
            string corpora = Directory.CreateDirectory(_temp.File("corpora")).FullName;
            File.WriteAllLines(Path.Combine(corpora, "wikitext2-test.txt"), Articles(0, 6));
            File.WriteAllLines(Path.Combine(corpora, "wikitext2-valid.txt"), Articles(6, 10));
            Output = _temp.File("out");
            Options = new SeedExperimentOptions
            {
                ModelFolder = model, CorporaFolder = corpora, OutputFolder = Output,
                TrainTokens = 4096, HeldOutTokens = 1024, LossRecoveredWindows = 4, ContextLength = 64,
                Steps = 12, BatchSize = 256, ExpansionFactor = 2, StandardL1Coefficients = [0.5, 2], GatedL1Coefficients = [0.5, 2], AblationIndex = 1,
                TopKs = [4, 16], JumpReluL0Coefficients = [0.1], BrowserTokens = 512,
            };
            Result = new SeedExperiment(Options).Run();
            ResultsWriter.Write(Result, Output);
            Plots = ResultPlots.Write(Result, Path.Combine(Output, "plots"));
        }

        public SeedExperimentOptions Options { get; }

        public string Output { get; }

        public SeedExperimentResult Result { get; }

        public IReadOnlyList<string> Plots { get; }

        public void Dispose() => _temp.Dispose();

        // WikiText-shaped articles of simple story sentences the fixture model knows.
        private static IEnumerable<string> Articles(int first, int count)
        {
            string[] sentences =
            [
                "Once upon a time, there was a little girl named Lily.", "She liked to play in the park with her dog.",
                "One day, the sun was shining and the birds were singing.", "Tom had a big red ball and he was very happy.",
                "They went to the store to buy some milk and bread.", "The cat sat on the mat and looked at the fish.",
            ];
            for (int a = first; a < first + count; a++)
            {
                yield return $" = Article {a} = ";
                yield return "";
                for (int p = 0; p < 6; p++) yield return " " + string.Join(' ', Enumerable.Range(0, 5).Select(i => sentences[(a + p + i) % sentences.Length])) + " ";
                yield return "";
            }
        }
    }
}
