using SparseDictionary.Bridges.Features;
using SparseDictionary.Bridges.Steering;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Llama.Tests.Bridges;

public class SteeringTests
{
    private static readonly int[] Prompt = [1, 7, 3, 11, 5];

    [Fact]
    public void Adding_puts_value_times_the_decoder_row_on_every_position_but_the_first()
    {
        // W_dec = [I; −I]: latent 2 is +e_2, latent 8 + 6 = 14 is −e_6.
        using var sae = LinearSaes.Scaled(8, 1);
        Func<Tensor, Tensor> steer = SaeSteering.Replacement(sae, [new SteeringLatent(2, 3.0), new SteeringLatent(14, 0.5)], SteeringMode.Add);
        using var scope = NewDisposeScope();
        Tensor x = randn(2, 3, 8, generator: new Generator(1));
        Tensor expected = x.clone();
        expected[.., 1.., 2] += 3.0;
        expected[.., 1.., 6] -= 0.5;
        Tensor steered = steer(x);
        Assert.True(steered.allclose(expected, rtol: 0, atol: 1e-6), (steered - expected).abs().max().item<float>().ToString() + " " + string.Join(",", (steered - expected).abs().amax([0, 1]).data<float>().ToArray()));
    }

    [Fact]
    public void Clamping_sets_the_latent_and_keeps_the_rest_of_the_activations()
    {
        // Latent 2 encodes ReLU(x_2): clamping it to 5 adds (5 − ReLU(x_2))·e_2, so x_2 becomes min(x_2, 0) + 5.
        using var sae = LinearSaes.Scaled(8, 1);
        Func<Tensor, Tensor> steer = SaeSteering.Replacement(sae, [new SteeringLatent(2, 5.0)], SteeringMode.Clamp);
        using var scope = NewDisposeScope();
        Tensor x = randn(2, 4, 8, generator: new Generator(2));
        Tensor expected = x.clone();
        expected[.., 1.., 2] = x[.., 1.., 2].clamp_max(0) + 5;
        Tensor steered = steer(x);
        Assert.True(steered.allclose(expected, rtol: 0, atol: 1e-6), string.Join(",", (steered - expected).abs().amax([0, 2]).data<float>().ToArray()));
        // And the SAE now reads exactly 5 there.
        // Where x_2 ≥ 0 (so −e_2's latent is silent) the SAE now reads exactly 5 there.
        Tensor read = sae.Encode(steered[.., 1..].reshape(-1, 8))[.., 2];
        Tensor positive = x[.., 1.., 2].reshape(-1).ge(0);
        Assert.True(positive.any().item<bool>());
        Assert.True(read.masked_select(positive).allclose(full(positive.sum().item<long>(), 5f), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Greedy_sampling_is_argmax_decoding_step_by_step()
    {
        using LlamaModel model = TinyModels.Random(tied: false);
        int[] generated = TokenSampler.Generate(model, Prompt, new GenerationOptions { MaxNewTokens = 6, StopAtEos = false });

        // Independently: the whole sequence through forward(), the argmax of the last position's logits, appended.
        var sequence = new List<long>(Prompt.Select(t => (long)t));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int step = 0; step < 6; step++)
        {
            Tensor logits = model.forward(tensor(sequence.ToArray()).unsqueeze(0));
            sequence.Add(logits[0, -1].argmax().item<long>());
        }
        Assert.Equal(sequence.Skip(Prompt.Length).Select(t => (int)t), generated);
    }

    [Fact]
    public void Zero_steering_changes_nothing_and_a_seed_repeats_a_sampled_run()
    {
        using LlamaModel model = TinyModels.Random(tied: true);
        using var sae = LinearSaes.Scaled(16, 1);
        var options = new GenerationOptions { MaxNewTokens = 8, Temperature = 1.0, Seed = 42, StopAtEos = false };
        var zero = new LlamaForwardOptions
        {
            Replace = new Dictionary<HookPoint, Func<Tensor, Tensor>> { [new HookPoint(0, HookSite.ResidualPost)] = SaeSteering.Replacement(sae, [new SteeringLatent(3, 0)], SteeringMode.Add) },
        };
        int[] first = TokenSampler.Generate(model, Prompt, options);
        Assert.Equal(first, TokenSampler.Generate(model, Prompt, options));
        Assert.Equal(first, TokenSampler.Generate(model, Prompt, options, zero));
        // Sampling, not argmax: at temperature 1 some seed among a few gives another continuation.
        int[] greedy = TokenSampler.Generate(model, Prompt, options with { Temperature = 0 });
        Assert.Contains(Enumerable.Range(0, 5), s => !TokenSampler.Generate(model, Prompt, options with { Seed = s }).SequenceEqual(greedy));
    }

    [Fact]
    public void A_large_added_latent_moves_the_next_token_logits_along_its_logit_effect()
    {
        using LlamaModel model = TinyModels.Random(tied: false);
        using var generator = new Generator(9);
        using var sae = new SparseDictionary.Autoencoders.StandardSae(16, 12, generator: generator);
        HookPoint last = new(model.Config.LayerCount - 1, HookSite.ResidualPost);
        LogitEffectTable effects = LogitEffects.Compute(model, sae, top: 24);
        using var scope = NewDisposeScope();
        Tensor baseline = TokenSampler.NextTokenLogits(model, Prompt);
        for (int latent = 0; latent < sae.DSae; latent++)
        {
            var steer = new LlamaForwardOptions
            {
                Replace = new Dictionary<HookPoint, Func<Tensor, Tensor>> { [last] = SaeSteering.Replacement(sae, [new SteeringLatent(latent, 1e7)], SteeringMode.Add) },
            };
            Tensor steered = TokenSampler.NextTokenLogits(model, Prompt, steer);
            // At the last block's output, a direction 10⁷ times the residual's size dominates the final norm, so the logits
            // become (a positive multiple of) the latent's logit effect: its top promoted token wins, the change follows it.
            Assert.Equal(effects.Promoted(latent)[0].Token, (int)steered.argmax().item<long>());
            float[] effect = new float[24];
            foreach ((int token, float value) in effects.Promoted(latent)) effect[token] = value;
            double cosine = nn.functional.cosine_similarity(steered, tensor(effect), 0).item<float>();
            int topToken = effects.Promoted(latent)[0].Token;
            int bottomToken = effects.Suppressed(latent)[0].Token;
            Assert.True(steered[topToken].item<float>() - steered[bottomToken].item<float>() > baseline[topToken].item<float>() - baseline[bottomToken].item<float>(),
                $"latent {latent}: the gap between its most promoted and most suppressed tokens did not grow");
            Assert.True(cosine > 0.999, $"latent {latent}: cosine {cosine}");
        }
    }
}
