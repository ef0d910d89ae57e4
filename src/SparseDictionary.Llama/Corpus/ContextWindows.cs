namespace SparseDictionary.Llama.Corpus;

/// <summary>Tokenises a stream of documents into fixed-length <see cref="ContextWindow"/>s, lazily.</summary>
public sealed class ContextWindows
{
    /// <summary>Creates the windowing.</summary>
    /// <param name="tokenizer">The tokenizer; documents are encoded without BOS, and BOS/EOS are added as the options say.</param>
    /// <param name="options">The window options; the defaults when <see langword="null"/>.</param>
    public ContextWindows(ITokenizer tokenizer, ContextWindowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new ContextWindowOptions();
        options.Validate();
        Tokenizer = tokenizer;
        Options = options;
    }

    /// <summary>Gets the tokenizer.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>Gets the options.</summary>
    public ContextWindowOptions Options { get; }

    /// <summary>Cuts the documents into windows. Padding uses EOS as its (masked) id.</summary>
    /// <param name="documents">The documents, read lazily.</param>
    /// <returns>The windows, each of <see cref="ContextWindowOptions.ContextLength"/> tokens.</returns>
    public IEnumerable<ContextWindow> Enumerate(IEnumerable<TextDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return Options.ConcatenateDocuments ? Concatenated(documents) : PerDocument(documents);
    }

    private int Capacity => Options.ContextLength - (Options.PrependBos ? 1 : 0);

    private IEnumerable<ContextWindow> Concatenated(IEnumerable<TextDocument> documents)
    {
        int separator = Options.Separator == DocumentSeparator.Bos ? Tokenizer.BosId : Tokenizer.EosId;
        var pending = new List<int>(Capacity);
        foreach (TextDocument document in documents)
        {
            int[] ids = Tokenizer.Encode(document.Text, addBos: false);
            foreach (int id in ids.Append(separator))
            {
                pending.Add(id);
                if (pending.Count == Capacity)
                {
                    yield return Window(pending);
                    pending.Clear();
                }
            }
        }
        if (pending.Count > 0 && !Options.DropLastPartial)
        {
            yield return Window(pending);
        }
    }

    private IEnumerable<ContextWindow> PerDocument(IEnumerable<TextDocument> documents)
    {
        foreach (TextDocument document in documents)
        {
            int[] ids = Tokenizer.Encode(document.Text, addBos: false);
            for (int start = 0; start < ids.Length; start += Capacity)
            {
                int count = Math.Min(Capacity, ids.Length - start);
                if (count < Capacity && Options.DropLastPartial) break;
                yield return Window(ids.AsSpan(start, count));
                if (Options.LongDocuments == LongDocumentPolicy.Truncate) break;
            }
        }
    }

    private ContextWindow Window(List<int> ids) => Window(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids));

    private ContextWindow Window(ReadOnlySpan<int> ids)
    {
        int[] tokens = new int[Options.ContextLength];
        int offset = 0;
        if (Options.PrependBos) tokens[offset++] = Tokenizer.BosId;
        ids.CopyTo(tokens.AsSpan(offset));
        int real = offset + ids.Length;
        tokens.AsSpan(real).Fill(Tokenizer.EosId);
        return new ContextWindow(tokens, real, Tokenizer.BosId);
    }
}
