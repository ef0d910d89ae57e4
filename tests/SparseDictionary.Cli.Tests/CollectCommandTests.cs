using SparseDictionary.Activations;
using SparseDictionary.Llama;
using static TorchSharp.torch;

namespace SparseDictionary.Cli.Tests;

/// <summary><c>sdict collect</c> on the llama2.c fixture and a short story.</summary>
public sealed class CollectCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    [Fact]
    public void A_complete_cache_is_kept_unless_force_is_given()
    {
        string output = files.NewFolder();
        string[] collect = ["collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "1", "--output", output, "--max-tokens", "100", "--context", "32"];
        CliRun.Of(collect).Succeeded();
        string folder = Path.Combine(output, "blocks.1.hook_resid_post");
        Assert.Equal(100, ActivationCacheReader.Open(folder).TotalTokens);

        // Asked for more tokens, the complete cache is left as it is, and the note says how to replace it.
        CliRun kept = CliRun.Of([.. collect[..^4], "--max-tokens", "200", "--context", "32"]).Succeeded();
        Assert.Contains("give --force to collect again", kept.Error, StringComparison.Ordinal);
        Assert.Equal(100, ActivationCacheReader.Open(folder).TotalTokens);

        CliRun.Of([.. collect[..^4], "--max-tokens", "200", "--context", "32", "--force"]).Succeeded();
        Assert.Equal(200, ActivationCacheReader.Open(folder).TotalTokens);
    }

    [Fact]
    public void Collect_writes_one_complete_cache_per_layer_holding_the_models_activations()
    {
        string output = files.NewFolder();
        CliRun run = CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "1,3",
            "--output", output, "--max-tokens", "300", "--context", "32", "--batch", "4").Succeeded();

        foreach (int layer in new[] { 1, 3 })
        {
            string folder = Path.Combine(output, $"blocks.{layer}.hook_resid_post");
            ActivationCacheReader cache = ActivationCacheReader.Open(folder);
            Assert.True(cache.Manifest.Complete);
            Assert.Equal(300, cache.TotalTokens);
            Assert.Equal(64, cache.DIn);
            Assert.Equal($"blocks.{layer}.hook_resid_post", cache.Manifest.HookName);
            Assert.Equal("stories260K.bin", cache.Manifest.ModelName);
            Assert.Matches($@"blocks\.{layer}\.hook_resid_post\s+300\s+0\s", run.Output);

            // The first window is BOS and the corpus's first 31 tokens; its rows after BOS are the first 31 cached rows.
            using var scope = NewDisposeScope();
            using LlamaModel model = Llama2cCheckpoint.Load(TestPaths.Stories260K);
            var tokenizer = Llama2cTokenizer.Load(TestPaths.Tok512, 512);
            int[] ids = [.. tokenizer.Encode(File.ReadAllText(files.Corpus), addBos: true).Take(32)];
            var hook = new HookPoint(layer, HookSite.ResidualPost);
            using LlamaForwardResult forward = model.Forward(tensor(ids.Select(i => (long)i).ToArray(), [1, 32]),
                options: new LlamaForwardOptions { Capture = [hook] });
            Tensor expected = forward.Captured[hook][0, 1..];
            Tensor cached = cache.MapShard(0)[..31].to(ScalarType.Float32);
            Assert.True(cached.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max difference {(cached - expected).abs().max().ToDouble()}");
        }
    }

    [Fact]
    public void The_hugging_face_copy_of_the_model_gives_the_same_cache_as_the_llama2c_one()
    {
        string fromLlama2c = files.NewFolder(), fromHf = files.NewFolder();
        string[] common = ["--corpus", files.Corpus, "--layers", "4", "--max-tokens", "120", "--context", "48"];
        CliRun.Of(["collect", "--model", TestPaths.Stories260K, "--output", fromLlama2c, .. common]).Succeeded();
        CliRun.Of(["collect", "--model", TestPaths.Stories260KHf, "--tokenizer", TestPaths.Tok512, "--output", fromHf, .. common]).Succeeded();

        using var scope = NewDisposeScope();
        Tensor a = ActivationCacheReader.Open(Path.Combine(fromLlama2c, "blocks.4.hook_resid_post")).MapShard(0);
        Tensor b = ActivationCacheReader.Open(Path.Combine(fromHf, "blocks.4.hook_resid_post")).MapShard(0);
        Assert.Equal(new long[] { 120, 64 }, b.shape);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"max difference {(a - b).abs().max().ToDouble()}");
    }

    [Fact]
    public void Collecting_again_into_complete_caches_does_nothing()
    {
        string output = files.NewFolder();
        string[] args = ["collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "2", "--output", output, "--max-tokens", "100", "--context", "32"];
        CliRun.Of(args).Succeeded();
        string manifest = Path.Combine(output, "blocks.2.hook_resid_post", "manifest.json");
        DateTime written = File.GetLastWriteTimeUtc(manifest);

        CliRun again = CliRun.Of(args).Succeeded();
        Assert.Contains("already complete; nothing to do", again.Error);
        Assert.Equal(written, File.GetLastWriteTimeUtc(manifest));
    }

    [Fact]
    public void A_jsonl_folder_is_read_file_by_file_through_the_text_field()
    {
        string corpus = files.NewFolder();
        File.WriteAllLines(Path.Combine(corpus, "wiki-001.jsonl"), ["{\"id\": \"Lily\", \"body\": \"Once upon a time, there was a little girl named Lily.\"}"]);
        File.WriteAllLines(Path.Combine(corpus, "wiki-002.jsonl"), ["{\"id\": \"Dog\", \"body\": \"The dog was sad because he lost his bone.\"}"]);
        string output = files.NewFolder();
        CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", corpus, "--text-field", "body", "--layers", "0", "--output", output).Succeeded();

        // Both documents, concatenated with a BOS between them, fill one window; only non-BOS tokens are collected.
        var tokenizer = Llama2cTokenizer.Load(TestPaths.Tok512, 512);
        int expected = tokenizer.Encode("Once upon a time, there was a little girl named Lily.", addBos: false).Length
            + tokenizer.Encode("The dog was sad because he lost his bone.", addBos: false).Length;
        Assert.Equal(expected, ActivationCacheReader.Open(Path.Combine(output, "blocks.0.hook_resid_post")).TotalTokens);
    }
}
