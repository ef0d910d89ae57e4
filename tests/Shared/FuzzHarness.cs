using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace SparseDictionary.Testing;

/// <summary>
/// A seeded, deterministic mutation fuzzer for file readers (linked into several test projects). Each mutated input is
/// written to a file and read on a worker thread under a timeout; the read must succeed or throw one of the reader's
/// documented exception types, and its managed allocations must stay within a budget proportional to the file's size.
/// </summary>
internal static partial class FuzzHarness
{
    private static readonly long[] HugeValues =
    [
        int.MaxValue, uint.MaxValue, (long)int.MaxValue + 1, long.MaxValue, -1, int.MinValue, 1L << 40, 0x7FFF_FFF0,
    ];

    private static readonly string[] HugeNumbers =
    [
        "2147483647", "2147483648", "-1", "-2147483648", "9223372036854775807", "18446744073709551616", "1e308", "1e309",
        "0", "1.5", "-0", "4294967296", "NaN", "\"7\"", "null", "true", "[]", "{}",
    ];

    /// <summary>What a fuzz run did: inputs that read fine and inputs that were rejected with an allowed exception.</summary>
    public sealed record Outcome(int Accepted, int Rejected);

    /// <summary>
    /// Runs <paramref name="iterations"/> mutations of <paramref name="valid"/> through <paramref name="read"/>.
    /// </summary>
    /// <param name="valid">A valid input, the starting point of every mutation.</param>
    /// <param name="path">The file each mutated input is written to before <paramref name="read"/> is called.</param>
    /// <param name="read">Reads the file (and whatever else must be read to exercise the parser).</param>
    /// <param name="allowed">The documented exception types; anything else fails the test, naming the iteration.</param>
    /// <param name="seed">The seed: the same seed gives the same inputs.</param>
    /// <param name="iterations">How many mutated inputs.</param>
    /// <param name="text">Whether the format is text (JSON, JSONL): adds number and nesting mutations.</param>
    /// <param name="timeout">Longest a single read may take.</param>
    public static Outcome Run(byte[] valid, string path, Action<string> read, Type[] allowed, int seed, int iterations, bool text = false,
        TimeSpan? timeout = null)
    {
        var random = new Random(seed);
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        int accepted = 0, rejected = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = Mutate(valid, random, text);
            File.WriteAllBytes(path, input);
            long allocated = 0;
            Exception? error = null;
            var task = Task.Factory.StartNew(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    read(path);
                }
                catch (Exception e)
                {
                    error = e;
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!task.Wait(limit))
            {
                Assert.Fail($"seed {seed}, iteration {i}: the read did not finish within {limit.TotalSeconds} s (a {input.Length}-byte input).");
            }
            if (error is not null && !allowed.Any(t => t.IsInstanceOfType(error)))
            {
                Assert.Fail($"seed {seed}, iteration {i}: {error.GetType().Name} escaped (allowed: {string.Join(", ", allowed.Select(t => t.Name))}): {error}");
            }
            // Reading may parse, copy and index the file a few times over, but never allocate what the file does not hold.
            long budget = 16L * input.Length + (16L << 20);
            if (allocated > budget)
            {
                Assert.Fail($"seed {seed}, iteration {i}: reading a {input.Length}-byte input allocated {allocated} managed bytes (budget {budget}).");
            }
            if (error is null) accepted++;
            else rejected++;
        }
        return new Outcome(accepted, rejected);
    }

    /// <summary>One random mutation of <paramref name="valid"/>.</summary>
    public static byte[] Mutate(byte[] valid, Random random, bool text)
    {
        int kinds = text ? 10 : 7;
        byte[] data = (byte[])valid.Clone();
        switch (random.Next(kinds))
        {
            case 0: // bit flips
                for (int n = 1 + random.Next(8); n > 0 && data.Length > 0; n--) data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            case 1: // truncation
                return data[..random.Next(data.Length + 1)];
            case 2: // a huge or negative length where a length or offset may be (aligned 4-byte and 8-byte slots near the start)
            {
                if (data.Length < 8) return data;
                int offset = random.Next(2) == 0 ? random.Next(Math.Min(data.Length - 8, 64)) / 4 * 4 : random.Next(data.Length - 7);
                long value = HugeValues[random.Next(HugeValues.Length)];
                if (random.Next(2) == 0) BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(offset), (int)value);
                else BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(offset), value);
                return data;
            }
            case 3: // random bytes inserted
            {
                int at = random.Next(data.Length + 1);
                byte[] junk = new byte[1 + random.Next(32)];
                random.NextBytes(junk);
                return [.. data[..at], .. junk, .. data[at..]];
            }
            case 4: // a range deleted
            {
                int at = random.Next(data.Length + 1);
                int count = random.Next(Math.Min(64, data.Length - at) + 1);
                return [.. data[..at], .. data[(at + count)..]];
            }
            case 5: // a range duplicated
            {
                int at = random.Next(data.Length + 1);
                int count = random.Next(Math.Min(256, data.Length - at) + 1);
                return [.. data[..(at + count)], .. data[at..]];
            }
            case 6: // a single byte set to an extreme
                if (data.Length > 0) data[random.Next(data.Length)] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                return data;
            case 7: // a number replaced by a huge, negative, fractional or non-number value
            {
                string s = Encoding.UTF8.GetString(data);
                var numbers = Number().Matches(s);
                if (numbers.Count == 0) return data;
                Match m = numbers[random.Next(numbers.Count)];
                return Encoding.UTF8.GetBytes(s[..m.Index] + HugeNumbers[random.Next(HugeNumbers.Length)] + s[(m.Index + m.Length)..]);
            }
            case 8: // deep nesting spliced in at a value position
            {
                string s = Encoding.UTF8.GetString(data);
                int colon = s.IndexOf(':', random.Next(Math.Max(1, s.Length)));
                if (colon < 0) colon = s.IndexOf(':');
                if (colon < 0) return data;
                int depth = random.Next(2) == 0 ? 200 : 100_000;
                string open = random.Next(2) == 0 ? new string('[', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth));
                return Encoding.UTF8.GetBytes(s[..(colon + 1)] + open + s[(colon + 1)..]);
            }
            default: // a string value made very long
            {
                string s = Encoding.UTF8.GetString(data);
                int quote = s.IndexOf('"', random.Next(Math.Max(1, s.Length)));
                if (quote < 0) return data;
                return Encoding.UTF8.GetBytes(s[..(quote + 1)] + new string('x', 1 + random.Next(1 << 16)) + s[(quote + 1)..]);
            }
        }
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][-+]?\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    /// <summary>Formats a count of inputs for a test's output.</summary>
    public static string Describe(string reader, Outcome outcome) =>
        string.Create(CultureInfo.InvariantCulture, $"{reader}: {outcome.Accepted} accepted, {outcome.Rejected} rejected");
}
