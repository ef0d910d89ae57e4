using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Llama;
using static TorchSharp.torch;

namespace SparseDictionary.DocsExamples;

/// <summary>docs/loss-recovered.md: one SAE, then many SAEs at one hook point.</summary>
public static class LossRecoveredExample
{
    /// <summary>Scores one SAE.</summary>
    public static LossRecoveredResult One(ISparseAutoencoder sae, Tensor tokens, Tensor attentionMask)
    {
        // <docs/loss-recovered.md>
        using var model = Llama2cCheckpoint.Load("stories260K.bin");
        var options = new LossRecoveredOptions(new HookPoint(2, HookSite.ResidualPost)) { BatchSize = 8 };
        var evaluator = new LossRecoveredEvaluator(model, sae, options);
        evaluator.Accumulate(tokens, attentionMask);          // [windows, seq]; call again for more windows
        LossRecoveredResult result = evaluator.Result();      // or evaluator.Report() for the named metrics
        // </docs/loss-recovered.md>
        return result;
    }

    /// <summary>Scores several SAEs at one hook point on the same windows.</summary>
    public static List<LossRecoveredResult> Many(LlamaModel model, IEnumerable<ISparseAutoencoder> saes, LossRecoveredOptions options, Tensor tokens, Tensor attentionMask)
    {
        // <docs/loss-recovered.md>
        using var baseline = LossRecoveredBaseline.Compute(model, options, tokens, attentionMask); // clean + zero-ablated, once
        var results = new List<LossRecoveredResult>();
        foreach (ISparseAutoencoder sae in saes)
        {
            var evaluator = new LossRecoveredEvaluator(model, sae, options);
            evaluator.Accumulate(baseline);                   // one spliced pass per batch
            results.Add(evaluator.Result());
        }
        // </docs/loss-recovered.md>
        return results;
    }
}
