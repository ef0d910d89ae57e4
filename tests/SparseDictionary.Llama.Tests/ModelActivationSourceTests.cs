using System.Text.Json.Nodes;
using SparseDictionary.Activations;
using SparseDictionary.Bridges;
using SparseDictionary.Llama.Corpus;
using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class ModelActivationSourceTests : IDisposable
{
    private static readonly HookPoint Layer1 = new(1, HookSite.ResidualPost);
    private static readonly HookPoint Layer3 = new(3, HookSite.ResidualPost);

    private readonly LlamaModel _model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
    private readonly Llama2cTokenizer _tokenizer = Llama2cTokenizer.Load(Fixtures.Tok512, 512);
    private readonly InMemoryTextSource _text = new([
        "Once upon a time, there was a little cat named Tom.",
        "The dog ran to the park and played with a red ball all day."]);

    public void Dispose() => _model.Dispose();

    private static ContextWindowOptions PerDocument => new() { ContextLength = 24, ConcatenateDocuments = false };

    private static ContextWindowOptions Packed => new() { ContextLength = 8 };

    // Each window run alone, unpadded, with the model's own capture; rows at the real non-BOS positions.
    private torch.Tensor Direct(ContextWindowOptions windows, HookPoint point)
    {
        var rows = new List<torch.Tensor>();
        foreach (ContextWindow window in new ContextWindows(_tokenizer, windows).Enumerate(_text.ReadDocuments()))
        {
            using torch.Tensor tokens = torch.tensor(window.Tokens.Take(window.RealLength).Select(t => (long)t).ToArray()).view(1, -1);
            using LlamaForwardResult result = _model.Forward(tokens, options: new LlamaForwardOptions { Capture = [point] });
            for (int i = 0; i < window.RealLength; i++)
            {
                if (window.IsCollected(i)) rows.Add(result.Captured[point][0, i].clone());
            }
        }
        return torch.stack(rows);
    }

    private static torch.Tensor Drain(IActivationSource source, int batchSize)
    {
        var batches = new List<torch.Tensor>();
        while (source.NextBatch(batchSize) is { } batch)
        {
            Assert.True(batch.shape[0] <= batchSize);
            batches.Add(batch);
        }
        return torch.cat(batches, 0);
    }

    private long NonBosTokens => _text.Documents.Sum(d => (long)_tokenizer.Encode(d.Text, addBos: false).Length);

    [Fact]
    public void ServesTheResidualStreamAtRealNonBosPositions_OfPaddedWindows()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var progress = new List<long>();
        using var source = new ModelActivationSource(_model, _tokenizer, _text, Layer1,
            new ModelActivationSourceOptions { Windows = PerDocument, WindowsPerForward = 2 }, new SyncProgress(progress.Add));

        torch.Tensor served = Drain(source, 5);

        Assert.Equal(NonBosTokens, served.shape[0]);
        Assert.Equal(NonBosTokens, source.Position);
        Assert.Equal([NonBosTokens], progress);
        TensorAssert.Close(Direct(PerDocument, Layer1), served, 1e-5, "padded batch vs each window alone");
    }

    [Fact]
    public void PackedWindows_SkipAndMaxTokens_SliceTheStream()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.Tensor expected = Direct(Packed, Layer3);
        // Packing adds a BOS after each document and one per window; none of them is served.
        Assert.Equal(NonBosTokens, expected.shape[0]);

        using var all = new ModelActivationSource(_model, _tokenizer, _text, Layer3, new ModelActivationSourceOptions { Windows = Packed, WindowsPerForward = 3 });
        TensorAssert.Close(expected, Drain(all, 4), 1e-5, "packed");

        using var slice = new ModelActivationSource(_model, _tokenizer, _text, Layer3,
            new ModelActivationSourceOptions { Windows = Packed, WindowsPerForward = 2, SkipTokens = 9, MaxTokens = 20 });
        torch.Tensor sliced = Drain(slice, 100);
        TensorAssert.Close(expected[9..20], sliced, 1e-5, "skip 9, stop at 20");
        Assert.Equal(20, slice.Position);
    }

    [Fact]
    public void TwoHookPointsInOnePass_EqualTwoSeparateRuns()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var options = new ModelActivationSourceOptions { Windows = PerDocument, WindowsPerForward = 2 };
        using var reader = new MultiLayerActivationReader(_model, _tokenizer, _text, [Layer3, Layer1], options);
        var layer1 = new List<torch.Tensor>();
        var layer3 = new List<torch.Tensor>();
        while (reader.Next() is { } batch)
        {
            Assert.Equal(batch[Layer1].shape, batch[Layer3].shape);
            layer1.Add(batch[Layer1]);
            layer3.Add(batch[Layer3]);
        }
        Assert.Equal(NonBosTokens, reader.Position);

        using var one = new ModelActivationSource(_model, _tokenizer, _text, Layer1, options);
        using var three = new ModelActivationSource(_model, _tokenizer, _text, Layer3, options);
        Assert.Equal(0, TensorAssert.MaxAbsDiff(Drain(one, 7), torch.cat(layer1, 0)));
        Assert.Equal(0, TensorAssert.MaxAbsDiff(Drain(three, 7), torch.cat(layer3, 0)));
        Assert.True(TensorAssert.MaxAbsDiff(torch.cat(layer1, 0), torch.cat(layer3, 0)) > 0.01);
    }

    [Fact]
    public void PerLayerViews_ReadInTurn_EqualSeparateSources()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var options = new ModelActivationSourceOptions { Windows = Packed, WindowsPerForward = 2, SkipTokens = 3 };
        using var reader = new MultiLayerActivationReader(_model, _tokenizer, _text, [Layer1, Layer3], options);
        IReadOnlyDictionary<HookPoint, IActivationSource> views = reader.CreateViews();
        var rows = new Dictionary<HookPoint, List<torch.Tensor>> { [Layer1] = [], [Layer3] = [] };
        bool any = true;
        while (any)
        {
            any = false;
            foreach (HookPoint point in new[] { Layer3, Layer1 })
            {
                if (views[point].NextBatch(point == Layer1 ? 4 : 6) is { } batch)
                {
                    rows[point].Add(batch);
                    any = true;
                }
            }
        }
        Assert.Equal(NonBosTokens, views[Layer1].Position);
        Assert.Equal(NonBosTokens, views[Layer3].Position);
        Assert.Throws<InvalidOperationException>(() => reader.CreateViews());
        foreach (HookPoint point in new[] { Layer1, Layer3 })
        {
            TensorAssert.Close(Direct(Packed, point)[3..], torch.cat(rows[point], 0), 1e-5, $"view of {point}");
            views[point].Dispose();
        }
    }

    // Collects layers 1 and 3 and crashes (as a killed process would stop) when the third forward pass reports progress.
    private void CrashAtThirdForwardPass(Func<HookPoint, string> folder, ActivationCollectorOptions options)
    {
        long reports = 0;
        Assert.Throws<InvalidOperationException>(() => ActivationCollector.Collect(_model, _tokenizer, _text, [Layer1, Layer3], folder, options,
            new SyncProgress(_ => { if (++reports == 3) throw new InvalidOperationException("crash"); })));
    }

    [Fact]
    public void Collect_WritesOneCachePerLayer_AndResumesWithoutDuplicates()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var dir = new TempDirectory();
        string Folder(HookPoint p) => dir.File(p.Name);
        var options = new ActivationCollectorOptions
        {
            Source = new ModelActivationSourceOptions { Windows = Packed, WindowsPerForward = 1 },
            Cache = new ActivationCacheWriterOptions { ShardTokens = 5, ModelName = "stories260K" },
        };

        // Interrupted at the third forward pass: two windows (10 to 14 tokens) were appended, two shards per layer written.
        CrashAtThirdForwardPass(Folder, options);
        Assert.Equal(10, ActivationCacheReader.ReadManifest(Folder(Layer1)).Shards.Sum(s => s.Tokens));
        // As if layer 1's second shard never made it into the manifest.
        DropLastShard(Folder(Layer1));

        // Resumed through the by-layer overload, which must name the same hooks and folders.
        ActivationCollectionResult result = ActivationCollector.Collect(_model, _tokenizer, _text, [1, 3],
            layer => Folder(new HookPoint(layer, HookSite.ResidualPost)), options);

        Assert.Equal(5, result.ResumedTokens[Layer1]);
        Assert.Equal(10, result.ResumedTokens[Layer3]);
        foreach (HookPoint point in new[] { Layer1, Layer3 })
        {
            Assert.Equal(NonBosTokens, result.TotalTokens[point]);
            ActivationCacheReader cache = ActivationCacheReader.Open(Folder(point), verifyChecksums: true);
            Assert.True(cache.Manifest.Complete);
            Assert.Equal(NonBosTokens, cache.TotalTokens);
            Assert.Equal(point.Name, cache.Manifest.HookName);
            torch.Tensor stored = torch.cat(Enumerable.Range(0, cache.ShardCount).Select(cache.MapShard).ToArray(), 0);
            TensorAssert.Close(Direct(Packed, point), stored, 1e-5, $"cache of {point}");
        }
    }

    [Fact]
    public void Collect_InterruptedMidShard_WithATruncatedShard_RedoesItWithoutLosingOrDuplicatingTokens()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var dir = new TempDirectory();
        string Folder(HookPoint p) => dir.File(p.Name);
        var options = new ActivationCollectorOptions
        {
            Source = new ModelActivationSourceOptions { Windows = Packed, WindowsPerForward = 1 },
            Cache = new ActivationCacheWriterOptions { ShardTokens = 3, ModelName = "stories260K" },
        };

        // Interrupted at the third forward pass, with rows buffered for a shard not yet written (mid-shard).
        CrashAtThirdForwardPass(Folder, options);
        var shards = ActivationCacheReader.ReadManifest(Folder(Layer3)).Shards;
        Assert.True(shards.Count >= 2);
        // Layer 3's second shard is cut short on disk, as a failing disk or a bad copy would leave it.
        string damaged = Path.Combine(Folder(Layer3), shards[1].FileName);
        File.WriteAllBytes(damaged, File.ReadAllBytes(damaged)[..^7]);

        ActivationCollectionResult result = ActivationCollector.Collect(_model, _tokenizer, _text, [Layer1, Layer3], Folder, options);

        Assert.Equal(shards[0].Tokens, result.ResumedTokens[Layer3]);
        foreach (HookPoint point in new[] { Layer1, Layer3 })
        {
            ActivationCacheReader cache = ActivationCacheReader.Open(Folder(point), verifyChecksums: true);
            // The manifest counts exactly the corpus's tokens, and the rows are the corpus's activations in order.
            Assert.Equal(NonBosTokens, cache.Manifest.Shards.Sum(s => s.Tokens));
            Assert.Equal(NonBosTokens, result.TotalTokens[point]);
            torch.Tensor stored = torch.cat(Enumerable.Range(0, cache.ShardCount).Select(cache.MapShard).ToArray(), 0);
            TensorAssert.Close(Direct(Packed, point), stored, 1e-5, $"cache of {point}");
        }
    }

    [Fact]
    public void BadArguments_AreRejectedUpFront()
    {
        Assert.Throws<ArgumentException>(() => new MultiLayerActivationReader(_model, _tokenizer, _text, []));
        Assert.Throws<ArgumentException>(() => new MultiLayerActivationReader(_model, _tokenizer, _text, [Layer1, Layer1]));
        var tooDeep = Assert.Throws<ArgumentException>(() => new ModelActivationSource(_model, _tokenizer, _text, new HookPoint(5, HookSite.ResidualPost)));
        Assert.Contains("blocks.5.hook_resid_post", tooDeep.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ModelActivationSource(_model, _tokenizer, _text, Layer1,
            new ModelActivationSourceOptions { Windows = new ContextWindowOptions { ContextLength = 513 } }));
        var perForward = Assert.Throws<ArgumentOutOfRangeException>(() => new ModelActivationSource(_model, _tokenizer, _text, Layer1,
            new ModelActivationSourceOptions { WindowsPerForward = 0 }));
        Assert.Equal("WindowsPerForward", perForward.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelActivationSource(_model, _tokenizer, _text, Layer1,
            new ModelActivationSourceOptions { DType = torch.ScalarType.Int32 }));
    }

    private static void DropLastShard(string folder)
    {
        string manifestPath = Path.Combine(folder, "manifest.json");
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        JsonArray shards = manifest["shards"]!.AsArray();
        JsonNode last = shards[^1]!;
        shards.RemoveAt(shards.Count - 1);
        if (manifest["total_tokens"] is not null)
        {
            manifest["total_tokens"] = manifest["total_tokens"]!.GetValue<long>() - last["tokens"]!.GetValue<long>();
        }
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        File.Delete(Path.Combine(folder, last["file"]!.GetValue<string>()));
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
