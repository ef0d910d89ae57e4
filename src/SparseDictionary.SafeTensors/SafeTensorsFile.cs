using System.Collections.ObjectModel;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace SparseDictionary.Formats;

/// <summary>
/// An open safetensors file whose header has been read and validated. Tensors are read on demand, each from its own
/// byte range, so a caller that needs a few tensors of a large file reads only those.
/// </summary>
/// <remarks>
/// The file stays open, shared for reading, until the instance is disposed. <see cref="Load"/> reads at explicit
/// offsets and may be called from several threads at once.
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorEntry> _entries;

    private SafeTensorsFile(string path, SafeFileHandle handle, SafeTensorsHeader header)
    {
        Path = path;
        _handle = handle;
        _dataStart = header.DataStart;
        _entries = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Metadata = header.Metadata;
        Tensors = new ReadOnlyCollection<SafeTensorInfo>(header.Entries.Select(e => e.ToInfo()).ToArray());
    }

    /// <summary>Gets the full path of the file.</summary>
    public string Path { get; }

    /// <summary>Gets the string-to-string metadata of the header's <c>__metadata__</c> entry; empty when there is none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets the tensors of the file, in the order of their data in the file.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>
    /// The file offset of the data buffer (8 + header length), to which <see cref="SafeTensorInfo.Begin"/> is relative;
    /// readers that memory-map tensors in place need it.
    /// </summary>
    internal long DataStart => _dataStart;

    /// <summary>Opens <paramref name="path"/> and validates its header.</summary>
    internal static SafeTensorsFile Open(string path)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        SafeFileHandle handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return new SafeTensorsFile(fullPath, handle, SafeTensorsHeader.Read(handle, fullPath));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Returns whether the file holds a tensor named <paramref name="name"/>.</summary>
    /// <param name="name">The tensor's name; names are case-sensitive.</param>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>Returns the header entry of the tensor named <paramref name="name"/>.</summary>
    /// <param name="name">The tensor's name; names are case-sensitive.</param>
    /// <exception cref="KeyNotFoundException">The file holds no tensor of that name.</exception>
    public SafeTensorInfo Info(string name) => Find(name).ToInfo();

    /// <summary>Reads the tensor named <paramref name="name"/>, and only its bytes, into a new tensor.</summary>
    /// <param name="name">The tensor's name; names are case-sensitive.</param>
    /// <param name="device">The device to place the tensor on; the CPU when <see langword="null"/>.</param>
    /// <param name="dtype">The element type to convert the tensor to; the stored type when <see langword="null"/>.</param>
    /// <returns>A new tensor, owned by the caller, with the stored shape.</returns>
    /// <exception cref="KeyNotFoundException">The file holds no tensor of that name.</exception>
    /// <exception cref="SafeTensorsFormatException">The file became shorter after it was opened.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public torch.Tensor Load(string name, torch.Device? device = null, torch.ScalarType? dtype = null)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        SafeTensorEntry entry = Find(name);
        torch.Tensor stored = ReadStored(entry);
        torch.ScalarType targetType = dtype ?? stored.dtype;
        if (targetType == stored.dtype && (device is null || device.type == DeviceType.CPU))
        {
            return stored;
        }
        using (stored)
        {
            return stored.to(targetType, device ?? torch.CPU);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _handle.Dispose();

    private SafeTensorEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _entries.TryGetValue(name, out SafeTensorEntry? entry)
            ? entry
            : throw new KeyNotFoundException($"The safetensors file '{Path}' holds no tensor {SafeTensorsFormatException.Quote(name)}.");
    }

    // Reads the bytes into a CPU tensor of the stored dtype. Booleans go through a byte tensor: libtorch assumes bool
    // storage holds only 0 and 1, while a file may hold any byte, so the cast maps every non-zero byte to true.
    private torch.Tensor ReadStored(SafeTensorEntry entry)
    {
        bool isBool = entry.DType.ScalarType == torch.ScalarType.Bool;
        torch.Tensor tensor = torch.empty(entry.Shape, isBool ? torch.ScalarType.Byte : entry.DType.ScalarType, torch.CPU);
        try
        {
            long read = TensorBytes.Read(_handle, _dataStart + entry.Begin, tensor);
            if (read != entry.ByteLength)
            {
                throw new SafeTensorsFormatException(Path, entry.Name, "the file ended inside the tensor's data; did it shrink after it was opened?");
            }
            return isBool ? tensor.to(torch.ScalarType.Bool, disposeAfter: true) : tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }
}
