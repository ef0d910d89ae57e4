namespace SparseDictionary.Llama.Corpus;

/// <summary>One model input: <see cref="ContextWindowOptions.ContextLength"/> token ids with masks.</summary>
public sealed class ContextWindow
{
    internal ContextWindow(int[] tokens, int realLength, int bosId)
    {
        Tokens = tokens;
        RealLength = realLength;
        IsBos = tokens.Select((t, i) => i < realLength && t == bosId).ToArray();
        CollectedCount = RealLength - IsBos.Count(b => b);
    }

    /// <summary>Gets the token ids; positions from <see cref="RealLength"/> on are padding.</summary>
    public int[] Tokens { get; }

    /// <summary>Gets the number of real (non-padding) tokens; they come first.</summary>
    public int RealLength { get; }

    /// <summary>Gets, per position, whether it is a real token and BOS.</summary>
    public bool[] IsBos { get; }

    /// <summary>Gets the number of positions that are real and not BOS: those whose activations are collected.</summary>
    public int CollectedCount { get; }

    /// <summary>Returns whether position <paramref name="index"/> is a real token (not padding).</summary>
    /// <param name="index">The position.</param>
    public bool IsReal(int index) => index < RealLength;

    /// <summary>Returns whether position <paramref name="index"/>'s activations are collected: real and not BOS.</summary>
    /// <param name="index">The position.</param>
    public bool IsCollected(int index) => index < RealLength && !IsBos[index];
}
