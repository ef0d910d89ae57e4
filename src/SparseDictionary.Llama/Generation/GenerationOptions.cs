namespace SparseDictionary.Llama;

/// <summary>How <see cref="TokenSampler"/> continues a prompt. <see cref="Validate"/> names the first bad field.</summary>
public sealed record GenerationOptions
{
    /// <summary>Gets the number of tokens to generate at most. Default 32.</summary>
    public int MaxNewTokens { get; init; } = 32;

    /// <summary>
    /// Gets the sampling temperature: 0 (the default) picks the most likely token at each step (greedy decoding, ties to the
    /// lowest id); above 0 samples from <c>softmax(logits / T)</c>.
    /// </summary>
    public double Temperature { get; init; }

    /// <summary>Gets the seed of the sampling generator, so a run can be repeated. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Gets whether generation stops after the model produces its EOS token. Default true.</summary>
    public bool StopAtEos { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "Must be ≥ 0.");
        if (!double.IsFinite(Temperature) || Temperature < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Must be a finite number ≥ 0.");
        }
    }
}
