using System.IO.Compression;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// A <c>torch.save</c> file (PyTorch ≥ 1.6): a zip archive with <c>{name}/data.pkl</c> (the pickled object, read by
/// <see cref="TorchPickle"/>), <c>{name}/data/{key}</c> (each storage's raw bytes), <c>{name}/version</c> and, from
/// PyTorch 2.1, <c>{name}/byteorder</c>. Only little-endian archives are read.
/// </summary>
internal sealed class TorchArchive : IDisposable
{
    /// <summary>Largest <c>data.pkl</c> read; a state dict's is a few kilobytes.</summary>
    public const long MaxPickleBytes = 64L << 20;

    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);

    private TorchArchive(string path, ZipArchive zip, string prefix)
    {
        Path = path;
        _zip = zip;
        _prefix = prefix;
    }

    /// <summary>The archive's path.</summary>
    public string Path { get; }

    /// <summary>The unpickled root object.</summary>
    public object? Root { get; private set; }

    /// <summary>Opens and unpickles <paramref name="path"/>.</summary>
    /// <exception cref="SaeFormatException">The file is missing, not a zip archive, or not a readable state dict.</exception>
    public static TorchArchive Open(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SaeFormatException.ForFile(path, "the file is missing.", e);
        }
        catch (InvalidDataException e)
        {
            throw SaeFormatException.ForFile(path, "the file is not a zip archive; only torch.save files of PyTorch 1.6 or later (zip archives) are read.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SaeFormatException.ForFile(path, $"the file cannot be read: {e.Message}", e);
        }

        try
        {
            var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
            if (pickles.Count != 1)
            {
                throw SaeFormatException.ForFile(path, $"expected one '<name>/data.pkl' record in the archive, found {pickles.Count}.");
            }
            string prefix = pickles[0].FullName[..^"data.pkl".Length];
            var archive = new TorchArchive(path, zip, prefix);
            if (zip.GetEntry(prefix + "byteorder") is { } order && archive.ReadText(order) is var text && text.Trim() != "little")
            {
                throw SaeFormatException.ForFile(path, $"the archive's byte order is '{text.Trim()}'; only little-endian archives are read.");
            }
            archive.Root = TorchPickle.Load(archive.ReadAll(pickles[0], MaxPickleBytes), path);
            return archive;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The tensors among the values of <paramref name="dict"/> (string keys), as new contiguous CPU tensors in their
    /// stored dtype; other values (numbers, nested dicts) are skipped.
    /// </summary>
    public Dictionary<string, Tensor> Tensors(PickleDict dict)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Items)
        {
            if (key is string name && value is TorchTensorRecord record) result[name] = Load(record);
        }
        return result;
    }

    /// <summary>One tensor as a new contiguous CPU tensor.</summary>
    public Tensor Load(TorchTensorRecord record)
    {
        Tensor storage = Storage(record.Storage);
        using var view = storage.as_strided(record.Size, record.Stride, record.Offset);
        return view.clone();
    }

    private Tensor Storage(StorageRecord record)
    {
        if (_storages.TryGetValue(record.Key, out Tensor? cached))
        {
            if (cached.dtype != record.DType || cached.shape[0] != record.Elements)
            {
                throw SaeFormatException.ForFile(Path, $"storage '{record.Key}' is referred to with two different types or sizes.");
            }
            return cached;
        }
        string name = _prefix + "data/" + record.Key;
        ZipArchiveEntry entry = _zip.GetEntry(name) ?? throw SaeFormatException.ForFile(Path, $"the record '{name}' is missing.");
        long elementSize;
        using (var probe = empty(0, dtype: record.DType)) elementSize = probe.ElementSize;
        if (record.Elements > entry.Length / elementSize || entry.Length != record.Elements * elementSize)
        {
            throw SaeFormatException.ForFile(Path, $"the record '{name}' holds {entry.Length} bytes; storage '{record.Key}' needs {record.Elements} × {elementSize} ({record.DType}).");
        }
        var tensor = empty(record.Elements, dtype: record.DType).DetachFromDisposeScope();
        try
        {
            using Stream stream = entry.Open();
            TensorBytes.ReadFrom(stream, tensor);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            tensor.Dispose();
            throw SaeFormatException.ForFile(Path, $"the record '{name}' is truncated or corrupt.", e);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        _storages[record.Key] = tensor;
        return tensor;
    }

    private byte[] ReadAll(ZipArchiveEntry entry, long limit)
    {
        if (entry.Length > limit) throw SaeFormatException.ForFile(Path, $"the record '{entry.FullName}' is {entry.Length} bytes long; over {limit} is not plausible.");
        var buffer = new byte[entry.Length];
        using Stream stream = entry.Open();
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw SaeFormatException.ForFile(Path, $"the record '{entry.FullName}' is truncated or corrupt.", e);
        }
        return buffer;
    }

    private string ReadText(ZipArchiveEntry entry) => System.Text.Encoding.ASCII.GetString(ReadAll(entry, 64));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Tensor t in _storages.Values) t.Dispose();
        _storages.Clear();
        _zip.Dispose();
    }
}
