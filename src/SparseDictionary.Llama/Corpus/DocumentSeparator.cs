namespace SparseDictionary.Llama.Corpus;

/// <summary>The token that separates concatenated documents.</summary>
public enum DocumentSeparator
{
    /// <summary>The tokenizer's BOS; its positions are excluded from collected activations like every BOS.</summary>
    Bos,

    /// <summary>The tokenizer's EOS; a real token whose activations are collected.</summary>
    Eos,
}
