namespace SparseDictionary.Llama.Corpus;

/// <summary>
/// Reads the lines of a stream as bytes, dropping the line terminator (<c>\n</c> or <c>\r\n</c>). A line longer than the
/// limit is read past without being buffered and reported as too long.
/// </summary>
internal sealed class BoundedLineReader : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxBytes;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private byte[] _line = new byte[256];

    public BoundedLineReader(Stream stream, int maxBytes)
    {
        _stream = stream;
        _maxBytes = maxBytes;
    }

    /// <summary>Reads the next line.</summary>
    /// <param name="line">The line's bytes (valid until the next call), or empty when it is too long.</param>
    /// <param name="tooLong">Whether the line exceeded the limit (its bytes were skipped).</param>
    /// <returns>False at the end of the stream.</returns>
    public bool ReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        int length = 0;
        long total = 0;
        bool any = false;
        tooLong = false;
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = _stream.Read(_buffer, 0, _buffer.Length);
                if (_end == 0)
                {
                    break;
                }
            }
            any = true;
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = newline < 0 ? _end : newline;
            int count = stop - _start;
            total += count;
            if (total > _maxBytes + 1L)
            {
                tooLong = true;
            }
            else
            {
                if (length + count > _line.Length) Array.Resize(ref _line, Math.Max(_line.Length * 2, length + count));
                Array.Copy(_buffer, _start, _line, length, count);
                length += count;
            }
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0)
            {
                break;
            }
        }
        if (!any)
        {
            line = default;
            return false;
        }
        if (!tooLong && length > 0 && _line[length - 1] == (byte)'\r') length--;
        if (length > _maxBytes) tooLong = true;
        line = tooLong ? default : _line.AsSpan(0, length);
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
