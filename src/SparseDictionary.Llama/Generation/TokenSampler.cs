using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// Continues a prompt with a <see cref="LlamaModel"/>, one token at a time: greedy, or sampled at a temperature from a
/// seeded generator. Hook-point replacements (<see cref="LlamaForwardOptions.Replace"/>) apply at every step, which is how a
/// caller steers the model; the sampler knows nothing of what they do.
/// </summary>
/// <remarks>
/// Each step runs the model on the whole sequence so far (no key/value cache): simple, exact, and fast enough for the
/// short continuations it is meant for. The sequence is cut to the model's last <see cref="LlamaConfig.MaxSeqLen"/> tokens.
/// </remarks>
public static class TokenSampler
{
    /// <summary>Generates a continuation of <paramref name="prompt"/>.</summary>
    /// <param name="model">The model; only read.</param>
    /// <param name="prompt">The prompt's token ids (BOS first if the model expects it), at least one.</param>
    /// <param name="options">Length, temperature, seed; the defaults when <see langword="null"/>.</param>
    /// <param name="forward">Hook-point replacements applied at every step; only <see cref="LlamaForwardOptions.Replace"/> is used.</param>
    /// <returns>The generated token ids, without the prompt (ending with EOS when it stopped there).</returns>
    /// <exception cref="ArgumentException">The prompt is empty or holds an id outside the vocabulary.</exception>
    public static int[] Generate(LlamaModel model, IReadOnlyList<int> prompt, GenerationOptions? options = null, LlamaForwardOptions? forward = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new GenerationOptions();
        options.Validate();
        if (prompt.Count == 0) throw new ArgumentException("The prompt needs at least one token.", nameof(prompt));
        int vocab = model.Config.VocabSize;
        int bad = prompt.FirstOrDefault(t => t < 0 || t >= vocab, -1);
        if (prompt.Any(t => t < 0 || t >= vocab)) throw new ArgumentException($"Token id {bad} is outside the vocabulary of {vocab}.", nameof(prompt));
        var steps = new LlamaForwardOptions { Replace = forward?.Replace ?? new Dictionary<HookPoint, Func<Tensor, Tensor>>() };

        using var generator = new Generator((ulong)options.Seed, CPU);
        var sequence = new List<int>(prompt);
        var generated = new List<int>(options.MaxNewTokens);
        using var noGrad = no_grad();
        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            using var scope = NewDisposeScope();
            Tensor logits = NextTokenLogits(model, sequence, steps);
            int next = Pick(logits, options.Temperature, generator);
            sequence.Add(next);
            generated.Add(next);
            if (options.StopAtEos && next == model.Config.EosTokenId) break;
        }
        return [.. generated];
    }

    /// <summary>The logits <c>[vocab]</c> (float32, on the CPU) for the token after <paramref name="sequence"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sequence">The tokens so far; the last <see cref="LlamaConfig.MaxSeqLen"/> are used.</param>
    /// <param name="forward">Hook-point replacements; none when <see langword="null"/>.</param>
    /// <returns>The logits, in the caller's dispose scope.</returns>
    public static Tensor NextTokenLogits(LlamaModel model, IReadOnlyList<int> sequence, LlamaForwardOptions? forward = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Count == 0) throw new ArgumentException("The sequence needs at least one token.", nameof(sequence));
        int start = Math.Max(0, sequence.Count - model.Config.MaxSeqLen);
        long[] ids = [.. sequence.Skip(start).Select(t => (long)t)];
        using var noGrad = no_grad();
        Tensor tokens = tensor(ids, [1, ids.Length], device: model.Device);
        using LlamaForwardResult result = model.Forward(tokens, null, forward is null ? null : new LlamaForwardOptions { Replace = forward.Replace });
        return result.Logits![0, -1].to(ScalarType.Float32).cpu().clone();
    }

    private static int Pick(Tensor logits, double temperature, Generator generator)
    {
        if (temperature == 0)
        {
            return (int)logits.argmax().item<long>();
        }
        Tensor probabilities = (logits.to(ScalarType.Float64) / temperature).softmax(0);
        return (int)multinomial(probabilities, 1, replacement: false, generator: generator).item<long>();
    }
}
