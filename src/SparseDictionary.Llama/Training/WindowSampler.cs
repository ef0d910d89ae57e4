using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>Draws windows of <c>context + 1</c> consecutive tokens at uniformly random offsets of a packed token stream.</summary>
internal sealed class WindowSampler
{
    private readonly IReadOnlyList<int> _tokens;
    private readonly int _length;
    // System.Random with a seed is reproducible across runs and platforms of one .NET version.
    private readonly Random _random;

    public WindowSampler(IReadOnlyList<int> tokens, int contextLength, int seed)
    {
        _tokens = tokens;
        _length = contextLength + 1;
        _random = new Random(seed);
    }

    /// <summary>Returns <c>[count, context + 1]</c> int64 token ids; the caller's dispose scope owns the tensor.</summary>
    public Tensor Next(int count)
    {
        var ids = new long[count * _length];
        for (int w = 0; w < count; w++)
        {
            int start = _random.Next(_tokens.Count - _length + 1);
            for (int t = 0; t < _length; t++)
            {
                ids[w * _length + t] = _tokens[start + t];
            }
        }
        return tensor(ids, [count, _length]);
    }
}
