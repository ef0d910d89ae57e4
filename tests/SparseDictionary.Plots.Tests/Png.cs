using System.Buffers.Binary;
using SkiaSharp;

namespace SparseDictionary.Plots.Tests;

/// <summary>Independent checks of a written PNG: signature and IHDR read by hand, pixels decoded by Skia.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the 8-byte signature and that the first chunk is IHDR; returns its width and height.</summary>
    public static (int Width, int Height) Header(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(Signature, bytes[..8]);
        Assert.Equal(13u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8, 4)));
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    public static SKBitmap Decode(string path) =>
        SKBitmap.Decode(path) ?? throw new InvalidOperationException($"Skia could not decode {path}");

    /// <summary>Saturated pixels: the series colours, never the black/grey/white of text, frame and grid.</summary>
    public static bool IsColourful(SKColor c) => Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 60;

    public static bool IsDark(SKColor c) => c.Red < 110 && c.Green < 110 && c.Blue < 110;

    /// <summary>How many pixels in the box [x0, x1) x [y0, y1) satisfy <paramref name="predicate"/>.</summary>
    public static int Count(SKBitmap bitmap, int x0, int y0, int x1, int y1, Func<SKColor, bool> predicate)
    {
        int n = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (predicate(bitmap.GetPixel(x, y)))
                    n++;
        return n;
    }

    /// <summary>Hue buckets (30 degrees wide) holding at least <paramref name="minPixels"/> colourful pixels.</summary>
    public static int HueBuckets(SKBitmap bitmap, int minPixels)
    {
        var buckets = new int[12];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                if (!IsColourful(c))
                    continue;
                c.ToHsv(out float h, out _, out _);
                buckets[(int)(h / 30) % 12]++;
            }
        return buckets.Count(b => b >= minPixels);
    }
}
