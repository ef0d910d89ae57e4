using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using SparseDictionary.Formats;
using TorchSharp;
using Xunit;

namespace SparseDictionary.Tests.Formats;

/// <summary>Mutated files must either load or fail with <see cref="SafeTensorsFormatException"/>; nothing else may escape.</summary>
public sealed partial class SafeTensorsFuzzTests : IDisposable
{
    private const int Iterations = 3000;

    private static readonly string[] Numbers =
    [
        "0", "1", "2", "3", "4", "7", "8", "12", "16", "-1", "-0", "1.5", "1e3", "4294967296",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "4611686018427387904",
    ];

    private static readonly string[] DTypes = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "U64", "C64", "", "f32"];

    private static readonly string[] Fragments = ["{", "}", "[", "]", ",", ":", "\"", "0", "-", "\\", "\\u", " ", "null", "\"dtype\":\"F32\""];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MutatedFiles_EitherLoadOrThrowSafeTensorsFormatException()
    {
        byte[] valid = ValidFile();
        string path = _temp.File("fuzz.safetensors");
        var random = new Random(20260517);
        int loaded = 0, rejected = 0;

        for (int i = 0; i < Iterations; i++)
        {
            byte[] mutated = Mutate(valid, random);
            if (random.Next(4) == 0)
            {
                mutated = Mutate(mutated, random);
            }
            // A fresh file each time: rewriting one in place makes ext4 flush it to disk on every close.
            File.Delete(path);
            File.WriteAllBytes(path, mutated);
            try
            {
                using SafeTensorsFile file = SafeTensors.Open(path);
                foreach (SafeTensorInfo info in file.Tensors)
                {
                    using torch.Tensor tensor = file.Load(info.Name);
                    Assert.Equal(info.Shape, tensor.shape);
                }
                loaded++;
            }
            catch (SafeTensorsFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"Mutation {i} escaped as {e.GetType()}: {e.Message}\nFile: {Convert.ToBase64String(mutated)}");
            }
        }

        // Both outcomes must be common, or the mutations are not exercising the reader.
        Assert.InRange(loaded, Iterations / 40, Iterations);
        Assert.InRange(rejected, Iterations / 4, Iterations);
    }

    private byte[] ValidFile()
    {
        string path = _temp.File("valid.safetensors");
        SafeTensors.Save(
            path,
            new Dictionary<string, torch.Tensor>
            {
                ["weight"] = torch.arange(6, dtype: torch.ScalarType.Float32).reshape(2, 3),
                ["bias"] = torch.tensor(new[] { 1.5, -2.0 }),
                ["step"] = torch.tensor(7L),
                ["scale"] = torch.ones(3, dtype: torch.ScalarType.BFloat16),
                ["mask"] = torch.tensor(new[] { true, false, true }),
                ["none"] = torch.empty(new long[] { 0, 4 }, torch.ScalarType.Int16),
            },
            new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(path);
    }

    private static byte[] Mutate(byte[] file, Random random)
    {
        byte[] bytes = (byte[])file.Clone();
        switch (random.Next(9))
        {
            case 0: // Flip a few bits anywhere.
                for (int n = random.Next(1, 4); n > 0 && bytes.Length > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }
                return bytes;
            case 1: // Overwrite one byte.
                if (bytes.Length > 0)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
                return bytes;
            case 2: // Truncate.
                return bytes[..random.Next(bytes.Length + 1)];
            case 3: // Append garbage.
                byte[] tail = new byte[random.Next(1, 17)];
                random.NextBytes(tail);
                return [.. bytes, .. tail];
            case 4: // Declare another header length.
                if (bytes.Length >= 8)
                {
                    ulong[] lengths = [0, 1, 7, (ulong)bytes.Length - 8, (ulong)bytes.Length - 7, (ulong)bytes.Length, 100_000_001, 1UL << 63, ulong.MaxValue, (ulong)random.NextInt64()];
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, lengths[random.Next(lengths.Length)] + (ulong)random.Next(-2, 3));
                }
                return bytes;
            default:
                return MutateHeader(bytes, random);
        }
    }

    // Edits the JSON text and rewrites the length prefix to match, so the edit reaches the header validation.
    private static byte[] MutateHeader(byte[] file, Random random)
    {
        if (file.Length < 8)
        {
            return file;
        }
        long length = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(file), (ulong)(file.Length - 8));
        string header = Encoding.UTF8.GetString(file, 8, (int)length);
        byte[] data = file[(8 + (int)length)..];

        string edited = random.Next(4) switch
        {
            0 => ReplaceRandom(header, IntegerPattern(), Numbers[random.Next(Numbers.Length)], random),
            1 => ReplaceRandom(header, DTypePattern(), $"\"dtype\":\"{DTypes[random.Next(DTypes.Length)]}\"", random),
            2 => header.Insert(random.Next(header.Length + 1), Fragments[random.Next(Fragments.Length)]),
            _ => header.Length == 0 ? header : header.Remove(random.Next(header.Length), 1),
        };
        return SafeTensorsBytes.Build(edited, data);
    }

    private static string ReplaceRandom(string text, Regex pattern, string replacement, Random random)
    {
        MatchCollection matches = pattern.Matches(text);
        if (matches.Count == 0)
        {
            return text;
        }
        Match match = matches[random.Next(matches.Count)];
        return string.Concat(text.AsSpan(0, match.Index), replacement, text.AsSpan(match.Index + match.Length));
    }

    [GeneratedRegex("-?[0-9]+")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex("\"dtype\":\"[A-Z0-9]+\"")]
    private static partial Regex DTypePattern();
}
