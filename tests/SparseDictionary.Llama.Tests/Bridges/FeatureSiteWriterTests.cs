using System.Text.Json;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges.Browser;
using SparseDictionary.Bridges.Features;
using SparseDictionary.Features;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Llama.Tests.Bridges;

public class FeatureSiteWriterTests
{
    private static JsonElement Script(string path, string global)
    {
        string text = File.ReadAllText(path).Trim();
        string prefix = $"window.{global} = ";
        Assert.StartsWith(prefix, text);
        return JsonDocument.Parse(text[prefix.Length..^1]).RootElement;
    }

    [Fact]
    public void Each_latent_s_data_is_in_its_chunk_and_the_index_lists_every_latent()
    {
        // 150 latents: latent j fires only at position j % 5 of every sequence, with activation j + 1.
        const int latents = 150;
        using var statistics = new FeatureStatistics(latents, new FeatureStatisticsOptions { TopExamples = 3, ContextBefore = 2, ContextAfter = 1 });
        using (NewDisposeScope())
        {
            Tensor position = arange(5).reshape(1, 5, 1);
            Tensor latent = arange(latents).reshape(1, 1, latents);
            Tensor features = where(position.eq(latent.remainder(5)), (latent + 1).to(ScalarType.Float32), zeros(1)).expand(2, 5, latents);
            statistics.Accumulate(features.contiguous(), arange(10, ScalarType.Int64).reshape(2, 5) + 3);
        }
        FeatureStatisticsResult result = statistics.Result();
        using LlamaModel model = TinyModels.Random(tied: true);
        using var generator = new Generator(1);
        using var sae = new StandardSae(16, latents, generator: generator);
        LogitEffectTable logits = LogitEffects.Compute(model, sae, top: 2);
        string[] vocabulary = [.. Enumerable.Range(0, 24).Select(i => $"t{i}<&>")];
        using var folder = new TempDirectory();
        string site = Path.Combine(folder.Path, "site");
        FeatureSiteWriter.Write(new FeatureSite("Title <b>", "blocks.1.hook_resid_post", result, logits, vocabulary), site, latentsPerChunk: 64);

        Assert.True(File.Exists(Path.Combine(site, "index.html")));
        Assert.True(File.Exists(Path.Combine(site, "latent.html")));
        Assert.Equal(["latents-00000.js", "latents-00001.js", "latents-00002.js"],
            Directory.GetFiles(Path.Combine(site, "data"), "latents-*.js").Select(Path.GetFileName).Order());
        JsonElement index = Script(Path.Combine(site, "data", "index.js"), "SDICT_INDEX");
        Assert.Equal(latents, index.GetProperty("dSae").GetInt32());
        Assert.Equal("Title <b>", index.GetProperty("title").GetString());
        Assert.Equal(10, index.GetProperty("tokens").GetInt64());
        Assert.Equal(latents, index.GetProperty("freq").GetArrayLength());
        Assert.Equal(0.2, index.GetProperty("freq")[7].GetDouble(), 6);
        JsonElement meta = Script(Path.Combine(site, "data", "meta.js"), "SDICT_META");
        Assert.Equal(latents, meta.GetProperty("dSae").GetInt32());
        Assert.Equal(64, meta.GetProperty("chunk").GetInt32());
        Assert.Equal("blocks.1.hook_resid_post", meta.GetProperty("hook").GetString());
        Assert.Equal(vocabulary, Script(Path.Combine(site, "data", "vocab.js"), "SDICT_VOCAB").EnumerateArray().Select(e => e.GetString()));

        // Latent 130 is the third of chunk 2: fires at position 0 of both sequences (tokens 3 and 8) with 131.
        JsonElement chunk = Script(Path.Combine(site, "data", "latents-00002.js"), "SDICT_CHUNK");
        Assert.Equal(128, chunk.GetProperty("start").GetInt32());
        Assert.Equal(latents - 128, chunk.GetProperty("latents").GetArrayLength());
        JsonElement latent130 = chunk.GetProperty("latents")[2];
        Assert.Equal(2, latent130.GetProperty("fires").GetInt64());
        Assert.Equal(131, latent130.GetProperty("max").GetDouble());
        JsonElement examples = latent130.GetProperty("ex");
        Assert.Equal(2, examples.GetArrayLength());
        // [activation, sequence, position, focus, tokens, activations]: position 0 with one token after it.
        int[] tokens = [.. examples.EnumerateArray().Select(e => e[4][0].GetInt32()).Order()];
        Assert.Equal([3, 8], tokens);
        Assert.All(examples.EnumerateArray(), e => Assert.Equal(0, e[3].GetInt32()));
        Assert.All(examples.EnumerateArray(), e => Assert.Equal([131.0, 0.0], e[5].EnumerateArray().Select(a => a.GetDouble())));
        Assert.Equal(logits.Promoted(130).Select(p => p.Token), latent130.GetProperty("up").EnumerateArray().Select(p => p[0].GetInt32()));
    }
}
