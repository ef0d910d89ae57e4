namespace SparseDictionary.Llama.Tests.Bridges;

/// <summary>Small Llama models with seeded random weights, for tests that need a model but not a trained one.</summary>
internal static class TinyModels
{
    /// <summary>2 layers, width 16, vocabulary 24; every weight drawn from N(0, 0.5²), norm gains from 1 + N(0, 0.3²).</summary>
    public static LlamaModel Random(bool tied, int seed = 3)
    {
        var config = new LlamaConfig(dim: 16, hiddenDim: 32, layerCount: 2, headCount: 4, kvHeadCount: 2, vocabSize: 24, maxSeqLen: 32,
            tieWordEmbeddings: tied);
        var model = new LlamaModel(config);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new torch.Generator((ulong)seed);
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
        {
            torch.Tensor noise = torch.randn(parameter.shape, generator: generator);
            parameter.copy_(name.EndsWith("norm.weight", StringComparison.Ordinal) ? 1 + 0.3 * noise : 0.5 * noise);
        }
        return model;
    }
}
