using TorchSharp;

namespace SparseDictionary.Formats;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): a little-endian u64 header
/// length, a JSON header describing each tensor, then the tensors' bytes, little-endian and row-major.
/// </summary>
/// <remarks>
/// Supported dtypes are F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL. Reading is strict: any header or layout
/// the spec does not allow is reported as a <see cref="SafeTensorsFormatException"/>.
/// </remarks>
public static class SafeTensors
{
    /// <summary>
    /// Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/>, replacing it atomically:
    /// the file is written under a temporary name in the same directory, flushed to disk, then renamed over
    /// <paramref name="path"/>, so a failure or crash never leaves a partial file there.
    /// </summary>
    /// <remarks>
    /// The layout matches the reference implementation's: the header is padded with spaces to a multiple of 8 bytes, and
    /// the tensors are stored back to back, ordered by dtype (widest first) and then by name. Tensors may live on any
    /// device and need not be contiguous; they are copied to the CPU as needed.
    /// </remarks>
    /// <param name="path">The file to write.</param>
    /// <param name="tensors">The tensors to store, by name.</param>
    /// <param name="metadata">Optional string-to-string metadata, stored as the header's <c>__metadata__</c> entry.</param>
    /// <exception cref="ArgumentException">
    /// A name is empty or <c>__metadata__</c>, a tensor is sparse or has an unsupported dtype, or a string is not valid UTF-16.
    /// </exception>
    public static void Save(string path, IReadOnlyDictionary<string, torch.Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        AtomicFile.Write(path, stream => SafeTensorsWriter.Write(stream, tensors, metadata));
    }

    /// <summary>Opens a safetensors file, reading and validating its header but none of its tensors.</summary>
    /// <param name="path">The file to open.</param>
    /// <returns>The open file; dispose it to close the file.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return SafeTensorsFile.Open(path);
    }

    /// <summary>Reads every tensor of a safetensors file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="device">The device to place the tensors on; the CPU when <see langword="null"/>.</param>
    /// <returns>The tensors by name; the caller owns them.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    public static Dictionary<string, torch.Tensor> LoadAll(string path, torch.Device? device = null)
    {
        using SafeTensorsFile file = Open(path);
        var tensors = new Dictionary<string, torch.Tensor>(file.Tensors.Count, StringComparer.Ordinal);
        try
        {
            foreach (SafeTensorInfo info in file.Tensors)
            {
                tensors.Add(info.Name, file.Load(info.Name, device));
            }
            return tensors;
        }
        catch
        {
            foreach (torch.Tensor tensor in tensors.Values)
            {
                tensor.Dispose();
            }
            throw;
        }
    }
}
