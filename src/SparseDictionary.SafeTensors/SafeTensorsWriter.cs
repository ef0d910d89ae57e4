using System.Buffers.Binary;
using System.Text;
using TorchSharp;

namespace SparseDictionary.Formats;

/// <summary>Writes tensors and metadata to a stream in the safetensors format.</summary>
internal static class SafeTensorsWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Validates the arguments, then writes the length prefix, the header and every tensor's bytes.</summary>
    /// <exception cref="ArgumentException">A name is invalid, or a tensor has an unsupported dtype or layout.</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, torch.Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ValidateMetadata(metadata);
        List<(SafeTensorEntry Entry, torch.Tensor Tensor)> plan = Plan(tensors);
        byte[] header = SafeTensorsHeaderWriter.Build(plan.ConvertAll(p => p.Entry), metadata);
        if (header.Length > SafeTensorsHeader.MaxLength)
        {
            throw new ArgumentException(
                $"The header would be {header.Length} bytes; readers refuse headers over {SafeTensorsHeader.MaxLength} bytes.", nameof(tensors));
        }

        Span<byte> prefix = stackalloc byte[SafeTensorsHeader.PrefixLength];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach ((SafeTensorEntry _, torch.Tensor tensor) in plan)
        {
            using torch.Tensor detached = tensor.detach();
            using torch.Tensor cpu = detached.cpu();
            using torch.Tensor contiguous = cpu.contiguous();
            TensorBytes.Write(stream, contiguous);
        }
    }

    /// <summary>
    /// Orders the tensors as the reference implementation does (by dtype, widest first, then by the UTF-8 bytes of their
    /// names) and assigns them back-to-back offsets. Widest first keeps every tensor aligned to its element size.
    /// </summary>
    private static List<(SafeTensorEntry Entry, torch.Tensor Tensor)> Plan(IReadOnlyDictionary<string, torch.Tensor> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<(byte[] Utf8Name, string Name, SafeTensorDType DType, torch.Tensor Tensor)>(tensors.Count);
        foreach ((string name, torch.Tensor tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("Tensor names must not be empty.", nameof(tensors));
            }
            if (name == SafeTensorsHeaderParser.MetadataKey)
            {
                throw new ArgumentException($"'{SafeTensorsHeaderParser.MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            }
            if (!names.Add(name))
            {
                throw new ArgumentException($"The tensor name '{name}' appears twice.", nameof(tensors));
            }
            if (tensor is null)
            {
                throw new ArgumentException($"The tensor '{name}' is null.", nameof(tensors));
            }
            if (tensor.is_sparse)
            {
                throw new ArgumentException($"The tensor '{name}' is sparse; safetensors stores dense tensors only.", nameof(tensors));
            }
            if (!SafeTensorDType.TryFromScalarType(tensor.dtype, out SafeTensorDType? dtype))
            {
                throw new ArgumentException($"The tensor '{name}' has dtype {tensor.dtype}, which this library cannot store in safetensors.", nameof(tensors));
            }
            items.Add((ToUtf8(name, "The tensor name"), name, dtype, tensor));
        }

        items.Sort(static (a, b) =>
        {
            int byType = b.DType.ReferenceOrder.CompareTo(a.DType.ReferenceOrder);
            return byType != 0 ? byType : a.Utf8Name.AsSpan().SequenceCompareTo(b.Utf8Name);
        });

        var plan = new List<(SafeTensorEntry, torch.Tensor)>(items.Count);
        long offset = 0;
        foreach ((byte[] _, string name, SafeTensorDType dtype, torch.Tensor tensor) in items)
        {
            long length = tensor.numel() * dtype.Size;
            plan.Add((new SafeTensorEntry(name, dtype, tensor.shape, offset, offset + length), tensor));
            offset += length;
        }
        return plan;
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach ((string key, string value) in metadata)
        {
            if (key is null || value is null)
            {
                throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
            }
            ToUtf8(key, "The metadata key");
            ToUtf8(value, $"The metadata value of '{key}'");
        }
    }

    private static byte[] ToUtf8(string text, string what)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"{what} '{text}' is not valid UTF-16 (it has an unpaired surrogate).", e);
        }
    }
}
