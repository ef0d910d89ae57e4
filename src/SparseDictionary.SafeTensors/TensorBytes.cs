using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace SparseDictionary.Formats;

/// <summary>Copies the storage of contiguous CPU tensors to streams and from files without intermediate buffers.</summary>
internal static class TensorBytes
{
    // Tensor.bytes is a Span over the native storage, so one span covers at most int.MaxValue bytes;
    // larger tensors are copied in slices of this many bytes (tests pass smaller sizes).
    public const long DefaultSliceBytes = 1L << 30;

    /// <summary>Writes the raw bytes of <paramref name="tensor"/>, which must be contiguous and on the CPU.</summary>
    public static void Write(Stream stream, torch.Tensor tensor, long sliceBytes = DefaultSliceBytes)
    {
        foreach (torch.Tensor slice in Slices(tensor, sliceBytes))
        {
            using (slice)
            {
                stream.Write(slice.bytes);
            }
        }
    }

    /// <summary>
    /// Fills the storage of <paramref name="tensor"/>, which must be contiguous and on the CPU, with the bytes of
    /// <paramref name="file"/> from <paramref name="offset"/>, and returns how many it read: fewer than the tensor
    /// holds only when the file ends first.
    /// </summary>
    public static long Read(SafeFileHandle file, long offset, torch.Tensor tensor, long sliceBytes = DefaultSliceBytes)
    {
        long total = 0;
        foreach (torch.Tensor slice in Slices(tensor, sliceBytes))
        {
            using (slice)
            {
                Span<byte> span = slice.bytes;
                while (!span.IsEmpty)
                {
                    int read = RandomAccess.Read(file, span, offset + total);
                    if (read == 0)
                    {
                        return total;
                    }
                    span = span[read..];
                    total += read;
                }
            }
        }
        return total;
    }

    /// <summary>
    /// Fills the storage of <paramref name="tensor"/>, which must be contiguous and on the CPU, with exactly as many bytes
    /// of <paramref name="stream"/>; throws <see cref="EndOfStreamException"/> when the stream ends first.
    /// </summary>
    public static void ReadFrom(Stream stream, torch.Tensor tensor, long sliceBytes = DefaultSliceBytes)
    {
        foreach (torch.Tensor slice in Slices(tensor, sliceBytes))
        {
            using (slice)
            {
                stream.ReadExactly(slice.bytes);
            }
        }
    }

    // Slices of a flat view share the tensor's storage, so reading into them fills the tensor itself.
    private static IEnumerable<torch.Tensor> Slices(torch.Tensor tensor, long sliceBytes)
    {
        long count = tensor.numel();
        if (count == 0)
        {
            yield break;
        }
        long perSlice = Math.Max(1, sliceBytes / tensor.ElementSize);
        using torch.Tensor flat = tensor.view(-1);
        for (long start = 0; start < count; start += perSlice)
        {
            yield return flat.narrow(0, start, Math.Min(perSlice, count - start));
        }
    }
}
