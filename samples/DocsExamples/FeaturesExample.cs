using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges.Browser;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using TorchSharp;

namespace SparseDictionary.DocsExamples;

/// <summary>docs/features.md: the feature browser from the library.</summary>
public static class FeaturesExample
{
    /// <summary>Writes the browser of an SAE at layer 3.</summary>
    public static FeatureSite Browse(LlamaModel model, ITokenizer tokenizer, ISparseAutoencoder sae)
    {
        // <docs/features.md>
        FeatureSite site = FeatureBrowser.Write(model, tokenizer, sae, new HookPoint(3, HookSite.ResidualPost),
            new PlainTextSource("data/corpora/wikitext2-valid.txt"), "browse/topk-l3",
            new FeatureBrowserOptions { MaxTokens = 40_000 }, device: torch.CPU);
        // </docs/features.md>
        return site;
    }
}
