using static TorchSharp.torch;

namespace SparseDictionary.Llama.Corpus;

/// <summary>Stacks context windows into the token and attention-mask tensors a forward pass takes.</summary>
public static class ContextWindowBatch
{
    /// <summary>
    /// Returns token ids <c>[windows, length]</c> (int64) and the attention mask <c>[windows, length]</c> (1 for real
    /// tokens, 0 for padding), on <paramref name="device"/>, in the caller's dispose scope.
    /// </summary>
    /// <param name="windows">Windows of equal length, at least one.</param>
    /// <param name="device">Device of the tensors.</param>
    public static (Tensor Tokens, Tensor AttentionMask) ToTensors(IReadOnlyList<ContextWindow> windows, Device device)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0) throw new ArgumentException("At least one window is needed.", nameof(windows));
        int length = windows[0].Tokens.Length;
        long[] ids = new long[windows.Count * length];
        long[] mask = new long[windows.Count * length];
        for (int w = 0; w < windows.Count; w++)
        {
            if (windows[w].Tokens.Length != length)
            {
                throw new ArgumentException($"Window {w} has {windows[w].Tokens.Length} tokens; window 0 has {length}.", nameof(windows));
            }
            for (int i = 0; i < length; i++)
            {
                ids[w * length + i] = windows[w].Tokens[i];
                mask[w * length + i] = windows[w].IsReal(i) ? 1 : 0;
            }
        }
        return (tensor(ids, [windows.Count, length], device: device), tensor(mask, [windows.Count, length], device: device));
    }
}
