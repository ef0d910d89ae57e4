using System.Buffers.Binary;
using System.Text;

namespace SparseDictionary.Llama.Tests;

/// <summary>
/// llama2.c run.c's activations for one prompt (the <c>L2CDUMP1</c> format of the fixtures' README): per position the
/// embedding, each layer's residual stream after attention and after the block, the final norm and the logits.
/// </summary>
internal sealed class ReferenceDump
{
    private ReferenceDump(int dim, int layers, int vocab, long[] tokens, float[] embed, float[] residMid, float[] residPost, float[] finalNorm, float[] logits)
    {
        Dim = dim;
        Layers = layers;
        Vocab = vocab;
        Tokens = tokens;
        Embed = embed;
        ResidMid = residMid;
        ResidPost = residPost;
        FinalNorm = finalNorm;
        Logits = logits;
    }

    public int Dim { get; }

    public int Layers { get; }

    public int Vocab { get; }

    public long[] Tokens { get; }

    /// <summary>[n, dim]</summary>
    public float[] Embed { get; }

    /// <summary>[n, layers, dim]</summary>
    public float[] ResidMid { get; }

    /// <summary>[n, layers, dim]</summary>
    public float[] ResidPost { get; }

    /// <summary>[n, dim]</summary>
    public float[] FinalNorm { get; }

    /// <summary>[n, vocab]</summary>
    public float[] Logits { get; }

    public int Positions => Tokens.Length;

    public static ReferenceDump Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (!bytes.AsSpan(0, 8).SequenceEqual("L2CDUMP1"u8))
        {
            throw new InvalidDataException($"'{path}' does not start with L2CDUMP1: {Encoding.ASCII.GetString(bytes, 0, 8)}");
        }
        int offset = 8;
        int Int() { int v = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)); offset += 4; return v; }
        int dim = Int(), _ = Int(), layers = Int(), _2 = Int(), _3 = Int(), vocab = Math.Abs(Int()), _4 = Int(), n = Int();
        long[] tokens = new long[n];
        for (int i = 0; i < n; i++) tokens[i] = Int();
        float[] Floats(int count)
        {
            float[] values = new float[count];
            for (int i = 0; i < count; i++) { values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset)); offset += 4; }
            return values;
        }
        var dump = new ReferenceDump(dim, layers, vocab, tokens,
            Floats(n * dim), Floats(n * layers * dim), Floats(n * layers * dim), Floats(n * dim), Floats(n * vocab));
        if (offset != bytes.Length)
        {
            throw new InvalidDataException($"'{path}' has {bytes.Length - offset} bytes after the dump.");
        }
        return dump;
    }

    /// <summary>The residual stream after the attention of <paramref name="layer"/>, as [1, n, dim].</summary>
    public torch.Tensor ResidMidOf(int layer) => PerLayer(ResidMid, layer);

    /// <summary>The residual stream after block <paramref name="layer"/>, as [1, n, dim].</summary>
    public torch.Tensor ResidPostOf(int layer) => PerLayer(ResidPost, layer);

    public torch.Tensor EmbedTensor() => torch.tensor(Embed).view(1, Positions, Dim);

    public torch.Tensor FinalNormTensor() => torch.tensor(FinalNorm).view(1, Positions, Dim);

    public torch.Tensor LogitsTensor() => torch.tensor(Logits).view(1, Positions, Vocab);

    public torch.Tensor TokensTensor() => torch.tensor(Tokens).view(1, Positions);

    private torch.Tensor PerLayer(float[] values, int layer) =>
        torch.tensor(values).view(Positions, Layers, Dim).select(1, layer).unsqueeze(0).contiguous();
}
