using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges.Features;
using Xunit;

namespace SparseDictionary.Llama.Tests.Bridges;

public class LogitEffectsTests
{
    // The effect computed with plain loops from the weights: Σ_k W_dec[i, k] · g[k] · W_U[t, k].
    private static double[,] Expected(LlamaModel model, StandardSae sae)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        float[] gain = parameters["model.norm.weight"].data<float>().ToArray();
        torch.Tensor unembedding = parameters.TryGetValue("lm_head.weight", out var head) ? head : parameters["model.embed_tokens.weight"];
        float[] wu = unembedding.contiguous().data<float>().ToArray();
        float[] wdec = sae.DecoderWeight.contiguous().data<float>().ToArray();
        int d = model.Config.Dim, vocab = model.Config.VocabSize;
        var effects = new double[sae.DSae, vocab];
        for (int i = 0; i < sae.DSae; i++)
        {
            for (int t = 0; t < vocab; t++)
            {
                double sum = 0;
                for (int k = 0; k < d; k++) sum += (double)wdec[i * d + k] * gain[k] * wu[t * d + k];
                effects[i, t] = sum;
            }
        }
        return effects;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_top_tokens_are_those_of_the_decoder_times_the_norm_gain_times_the_unembedding(bool tied)
    {
        using LlamaModel model = TinyModels.Random(tied);
        using var generator = new torch.Generator(5);
        using var sae = new StandardSae(16, 10, generator: generator);
        double[,] expected = Expected(model, sae);
        // Chunks of 3 latents: the chunking must not change anything.
        LogitEffectTable table = LogitEffects.Compute(model, sae, top: 4, latentsPerChunk: 3);
        for (int i = 0; i < sae.DSae; i++)
        {
            int row = i;
            var ranked = Enumerable.Range(0, 24).Select(t => (Token: t, Effect: expected[row, t])).OrderByDescending(p => p.Effect).ToArray();
            Assert.Equal(ranked.Take(4).Select(p => p.Token), table.Promoted(i).Select(p => p.Token));
            Assert.Equal(ranked.Reverse().Take(4).Select(p => p.Token), table.Suppressed(i).Select(p => p.Token));
            foreach ((int token, float effect) in table.Promoted(i).Concat(table.Suppressed(i)))
            {
                Assert.Equal(expected[i, token], effect, 4);
            }
        }
    }
}
