using System.Buffers.Binary;

namespace SparseDictionary.Llama;

/// <summary>
/// The 28-byte header of a legacy llama2.c checkpoint (<c>run.c</c>'s <c>Config</c>): seven little-endian int32
/// <c>dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len</c>; a negative <c>vocab_size</c> means the
/// classifier is stored separately instead of shared with the embedding.
/// </summary>
internal sealed class Llama2cHeader
{
    public const int ByteCount = 7 * sizeof(int);

    // llama2.c's newer export formats (version 1 and up) start with this magic, "ak42" read as a little-endian uint32.
    private const int VersionedExportMagic = 0x616b3432;

    private static readonly Dictionary<string, string> FieldOfParameter = new(StringComparer.Ordinal)
    {
        ["dim"] = "dim",
        ["hiddenDim"] = "hidden_dim",
        ["layerCount"] = "n_layers",
        ["headCount"] = "n_heads",
        ["kvHeadCount"] = "n_kv_heads",
        ["vocabSize"] = "vocab_size",
        ["maxSeqLen"] = "seq_len",
        ["bosTokenId"] = "vocab_size",
        ["eosTokenId"] = "vocab_size",
    };

    private Llama2cHeader(LlamaConfig config) => Config = config;

    /// <summary>The model's configuration: ε 1e-5, θ 10000, BOS 1 and EOS 2, as <c>run.c</c> hard-codes them.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Reads and validates the header of <paramref name="path"/> and checks the file's size against it.</summary>
    /// <exception cref="ModelFormatException">The header is invalid or the file's size does not match it.</exception>
    public static Llama2cHeader Read(string path, Stream stream)
    {
        Span<byte> bytes = stackalloc byte[ByteCount];
        if (stream.Length < ByteCount)
        {
            throw ModelFormatException.ForFile(path, $"the file holds {stream.Length} bytes, fewer than the {ByteCount}-byte llama2.c header.");
        }
        stream.ReadExactly(bytes);
        Span<int> values = stackalloc int[7];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * sizeof(int))..]);
        }
        if (values[0] == VersionedExportMagic)
        {
            throw ModelFormatException.ForFile(path, "this is a versioned llama2.c export (magic \"ak42\"); only the legacy format (export version 0) is supported.");
        }

        (int dim, int hidden, int layers, int heads, int kvHeads, int signedVocab, int seqLen) =
            (values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
        if (signedVocab == int.MinValue)
        {
            throw ModelFormatException.ForField(path, "vocab_size", $"{signedVocab} is out of range.");
        }
        int vocab = Math.Abs(signedVocab);
        LlamaConfig config;
        try
        {
            config = new LlamaConfig(dim, hidden, layers, heads, kvHeads, vocab, seqLen,
                rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: signedVocab > 0, bosTokenId: 1, eosTokenId: 2,
                weightDType: TorchSharp.torch.ScalarType.Float32);
        }
        catch (ArgumentException e)
        {
            string field = e.ParamName is { } name && FieldOfParameter.TryGetValue(name, out string? mapped) ? mapped : "?";
            throw ModelFormatException.ForField(path, field, e.Message, e);
        }

        long expected = ExpectedBytes(config, path);
        if (stream.Length != expected)
        {
            string header = $"dim={dim} hidden_dim={hidden} n_layers={layers} n_heads={heads} n_kv_heads={kvHeads} vocab_size={signedVocab} seq_len={seqLen}";
            throw ModelFormatException.ForFile(path, stream.Length < expected
                ? $"the file is truncated: its header ({header}) describes {expected} bytes, but the file holds {stream.Length}."
                : $"the file holds {stream.Length} bytes, more than the {expected} its header ({header}) describes.");
        }
        return new Llama2cHeader(config);
    }

    /// <summary>The number of float32 values in each section of the file, in file order, after the header.</summary>
    /// <exception cref="OverflowException">A count exceeds <see cref="long.MaxValue"/>.</exception>
    public static IEnumerable<(string Section, long Floats)> Sections(LlamaConfig c)
    {
        long layers = c.LayerCount, dim = c.Dim, kvDim = c.KvDim, hidden = c.HiddenDim, vocab = c.VocabSize;
        yield return ("token_embedding", checked(vocab * dim));
        yield return ("rms_att", checked(layers * dim));
        yield return ("wq", checked(layers * dim * dim));
        yield return ("wk", checked(layers * kvDim * dim));
        yield return ("wv", checked(layers * kvDim * dim));
        yield return ("wo", checked(layers * dim * dim));
        yield return ("rms_ffn", checked(layers * dim));
        yield return ("w1", checked(layers * hidden * dim));
        yield return ("w2", checked(layers * dim * hidden));
        yield return ("w3", checked(layers * hidden * dim));
        yield return ("rms_final", dim);
        // The legacy RoPE tables (freq_cis_real and freq_cis_imag), seq_len × head_size/2 each; recomputed, never read.
        yield return ("freq_cis", (long)c.MaxSeqLen * c.HeadDim);
        if (!c.TieWordEmbeddings)
        {
            yield return ("wcls", checked(vocab * dim));
        }
    }

    // Header values are arbitrary int32s, so counts can overflow a long; such a header describes no real file.
    private static long ExpectedBytes(LlamaConfig config, string path)
    {
        try
        {
            long floats = 0;
            foreach ((_, long count) in Sections(config))
            {
                floats = checked(floats + count);
            }
            return checked(ByteCount + floats * sizeof(float));
        }
        catch (OverflowException e)
        {
            throw ModelFormatException.ForFile(path, "the header describes a model too large for any file.", e);
        }
    }
}
