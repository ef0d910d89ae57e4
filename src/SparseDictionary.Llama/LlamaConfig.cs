namespace SparseDictionary.Llama;

/// <summary>
/// The shape and constants of a Llama-2-architecture model. Every instance is valid: the constructor checks each value
/// and how they fit together (whole, even head width; key/value heads dividing query heads; token ids inside the vocabulary).
/// </summary>
/// <remarks>
/// Read one from a checkpoint with <see cref="HuggingFaceCheckpoint.ReadConfig"/> or <see cref="Llama2cCheckpoint.ReadConfig"/>.
/// The properties have no setters, so <c>with</c> expressions cannot produce an unchecked copy.
/// </remarks>
public sealed record LlamaConfig
{
    /// <summary>Creates and validates a configuration.</summary>
    /// <param name="dim">Width of the residual stream (<c>hidden_size</c>).</param>
    /// <param name="hiddenDim">Width of the MLP's hidden layer (<c>intermediate_size</c>).</param>
    /// <param name="layerCount">Number of transformer blocks (<c>num_hidden_layers</c>).</param>
    /// <param name="headCount">Number of query heads (<c>num_attention_heads</c>).</param>
    /// <param name="kvHeadCount">Number of key/value heads (<c>num_key_value_heads</c>); must divide <paramref name="headCount"/>.</param>
    /// <param name="vocabSize">Number of tokens.</param>
    /// <param name="maxSeqLen">Longest sequence the model accepts (<c>max_position_embeddings</c>).</param>
    /// <param name="rmsNormEps">The ε added to the mean square in every RMSNorm.</param>
    /// <param name="ropeTheta">The base θ of the rotary embedding frequencies.</param>
    /// <param name="tieWordEmbeddings">Whether the output head reuses the token embedding matrix.</param>
    /// <param name="bosTokenId">The beginning-of-sequence token, or <see langword="null"/> when the model has none.</param>
    /// <param name="eosTokenId">The end-of-sequence token, or <see langword="null"/> when the model has none.</param>
    /// <param name="weightDType">The element type the checkpoint stores its weights in, when it says; informational only.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">Two values do not fit together.</exception>
    public LlamaConfig(
        int dim,
        int hiddenDim,
        int layerCount,
        int headCount,
        int kvHeadCount,
        int vocabSize,
        int maxSeqLen,
        double rmsNormEps = 1e-5,
        double ropeTheta = 10000,
        bool tieWordEmbeddings = false,
        int? bosTokenId = 1,
        int? eosTokenId = 2,
        torch.ScalarType? weightDType = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvHeadCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSeqLen);
        if (!double.IsFinite(rmsNormEps) || rmsNormEps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rmsNormEps), rmsNormEps, "The RMSNorm epsilon must be positive and finite.");
        }
        if (!double.IsFinite(ropeTheta) || ropeTheta <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ropeTheta), ropeTheta, "The rotary base theta must be positive and finite.");
        }
        // Rotary embeddings rotate pairs of a head's dimensions, so the head width must be whole and even.
        if (dim % headCount != 0 || dim / headCount % 2 != 0)
        {
            throw new ArgumentException($"The width {dim} must split into {headCount} heads of an even width.", nameof(headCount));
        }
        if (headCount % kvHeadCount != 0)
        {
            throw new ArgumentException($"The {kvHeadCount} key/value heads must divide the {headCount} query heads.", nameof(kvHeadCount));
        }
        CheckTokenId(bosTokenId, vocabSize, nameof(bosTokenId));
        CheckTokenId(eosTokenId, vocabSize, nameof(eosTokenId));
        if (weightDType is { } type && !torch.is_floating_point(type))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDType), type, "The weight type must be a floating-point type.");
        }

        Dim = dim;
        HiddenDim = hiddenDim;
        LayerCount = layerCount;
        HeadCount = headCount;
        KvHeadCount = kvHeadCount;
        VocabSize = vocabSize;
        MaxSeqLen = maxSeqLen;
        RmsNormEps = rmsNormEps;
        RopeTheta = ropeTheta;
        TieWordEmbeddings = tieWordEmbeddings;
        BosTokenId = bosTokenId;
        EosTokenId = eosTokenId;
        WeightDType = weightDType;
    }

    /// <summary>Gets the width of the residual stream.</summary>
    public int Dim { get; }

    /// <summary>Gets the width of the MLP's hidden layer.</summary>
    public int HiddenDim { get; }

    /// <summary>Gets the number of transformer blocks.</summary>
    public int LayerCount { get; }

    /// <summary>Gets the number of query heads.</summary>
    public int HeadCount { get; }

    /// <summary>Gets the number of key/value heads; each serves <see cref="HeadCount"/> / <see cref="KvHeadCount"/> query heads.</summary>
    public int KvHeadCount { get; }

    /// <summary>Gets the number of tokens.</summary>
    public int VocabSize { get; }

    /// <summary>Gets the longest sequence the model accepts.</summary>
    public int MaxSeqLen { get; }

    /// <summary>Gets the ε added to the mean square in every RMSNorm.</summary>
    public double RmsNormEps { get; }

    /// <summary>Gets the base θ of the rotary embedding frequencies.</summary>
    public double RopeTheta { get; }

    /// <summary>Gets whether the output head reuses the token embedding matrix.</summary>
    public bool TieWordEmbeddings { get; }

    /// <summary>Gets the beginning-of-sequence token, or <see langword="null"/> when the model has none.</summary>
    public int? BosTokenId { get; }

    /// <summary>Gets the end-of-sequence token, or <see langword="null"/> when the model has none.</summary>
    public int? EosTokenId { get; }

    /// <summary>
    /// Gets the element type the checkpoint stores its weights in (Hugging Face's <c>torch_dtype</c>), or <see langword="null"/>
    /// when it does not say. Informational: a model is created in whichever type its caller asks for.
    /// </summary>
    public torch.ScalarType? WeightDType { get; }

    /// <summary>Gets the width of one attention head.</summary>
    public int HeadDim => Dim / HeadCount;

    /// <summary>Gets the width of all key (or value) heads together.</summary>
    public int KvDim => HeadDim * KvHeadCount;

    private static void CheckTokenId(int? id, int vocabSize, string paramName)
    {
        if (id is { } value && (value < 0 || value >= vocabSize))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"The token id must be below the vocabulary size {vocabSize}.");
        }
    }
}
