using SparseDictionary.Bridges;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Seed;

/// <summary>Activations of several hook points, collected in one early-exit pass per batch of windows, kept in memory.</summary>
internal static class LayerActivations
{
    /// <summary>
    /// Returns <c>[tokens, d_model]</c> activations per hook point (the same tokens for each), at most
    /// <paramref name="maxTokens"/>, owned by the caller (outside any dispose scope).
    /// </summary>
    public static Dictionary<HookPoint, Tensor> Collect(
        LlamaModel model, ITokenizer tokenizer, ITextSource text, IReadOnlyList<HookPoint> hookPoints, long maxTokens,
        int contextLength, Device device, ScalarType dtype, Action<long>? progress)
    {
        var options = new ModelActivationSourceOptions
        {
            Windows = new ContextWindowOptions { ContextLength = contextLength },
            WindowsPerForward = 16,
            MaxTokens = maxTokens,
            Device = device,
            DType = dtype,
        };
        using var reader = new MultiLayerActivationReader(model, tokenizer, text, hookPoints, options);
        var pieces = hookPoints.ToDictionary(h => h, _ => new List<Tensor>());
        using (var scope = NewDisposeScope())
        {
            while (reader.Next() is { } batch)
            {
                foreach ((HookPoint point, Tensor rows) in batch) pieces[point].Add(rows);
                progress?.Invoke(reader.Position);
            }
            if (pieces[hookPoints[0]].Count == 0)
            {
                throw new InvalidOperationException("The corpus produced no tokens to collect activations from.");
            }
            return pieces.ToDictionary(p => p.Key, p => cat(p.Value, 0).DetachFromDisposeScope());
        }
    }

    /// <summary>The first <paramref name="count"/> context windows of a text as token and mask tensors.</summary>
    public static (Tensor Tokens, Tensor Mask) Windows(ITokenizer tokenizer, ITextSource text, int count, int contextLength, Device device)
    {
        List<ContextWindow> windows = new ContextWindows(tokenizer, new ContextWindowOptions { ContextLength = contextLength })
            .Enumerate(text.ReadDocuments())
            .Take(count)
            .ToList();
        if (windows.Count == 0) throw new InvalidOperationException("The held-out text produced no context windows.");
        using var scope = NewDisposeScope();
        (Tensor tokens, Tensor mask) = ContextWindowBatch.ToTensors(windows, device);
        return (tokens.DetachFromDisposeScope(), mask.DetachFromDisposeScope());
    }
}
