using System.Diagnostics;
using System.Globalization;

namespace SparseDictionary.Cli.Terminal;

/// <summary>
/// A progress bar on a text writer (standard error) that is told progress through <see cref="IProgress{T}"/>. On a
/// terminal it redraws one line in place with a carriage return, at most every <see cref="ConsoleProgressOptions.RedrawInterval"/>;
/// when the output is redirected it writes a plain line every <see cref="ConsoleProgressOptions.PlainInterval"/> instead, so
/// log files get a readable history rather than control characters.
/// </summary>
/// <typeparam name="T">What the work reports; <c>position</c> turns it into a count of units done.</typeparam>
/// <remarks>
/// Reports are called from the working thread; drawing is throttled, so a report costs a clock read most of the time.
/// <see cref="Dispose"/> draws the final state and ends the line.
/// </remarks>
internal sealed class ConsoleProgressBar<T> : IProgress<T>, IDisposable
{
    private readonly TextWriter _writer;
    private readonly Func<T, long> _position;
    private readonly ConsoleProgressOptions _options;
    private readonly Func<TimeSpan> _clock;
    private readonly CancellationToken _cancellation;
    private TimeSpan _lastDraw = TimeSpan.MinValue;
    private long _current;
    private bool _reported;
    private int _lastWidth;
    private bool _disposed;

    /// <summary>Creates a bar; nothing is drawn until the first report.</summary>
    /// <param name="writer">Where to draw (standard error, so standard output keeps only results).</param>
    /// <param name="position">The units done, from a report.</param>
    /// <param name="options">The label, total, unit, mode and intervals.</param>
    /// <param name="clock">The elapsed time since the work started; a stopwatch started now when <see langword="null"/>.</param>
    /// <param name="cancellation">When cancelled, the next report throws <see cref="OperationCanceledException"/>, stopping the work.</param>
    public ConsoleProgressBar(TextWriter writer, Func<T, long> position, ConsoleProgressOptions options, Func<TimeSpan>? clock = null,
        CancellationToken cancellation = default)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _position = position ?? throw new ArgumentNullException(nameof(position));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (clock is null)
        {
            var stopwatch = Stopwatch.StartNew();
            clock = () => stopwatch.Elapsed;
        }
        _clock = clock;
        _cancellation = cancellation;
    }

    /// <inheritdoc />
    public void Report(T value)
    {
        _cancellation.ThrowIfCancellationRequested();
        if (_disposed) return;
        _current = _position(value);
        _reported = true;
        TimeSpan now = _clock();
        TimeSpan interval = _options.Interactive ? _options.RedrawInterval : _options.PlainInterval;
        if (_lastDraw != TimeSpan.MinValue && now - _lastDraw < interval) return;
        _lastDraw = now;
        Draw(now, final: false);
    }

    /// <summary>Draws the final state (if anything was reported) and ends the line.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_reported) Draw(_clock(), final: true);
    }

    /// <summary>The text of one update: label, bar (when the total is known), count, rate and remaining time.</summary>
    internal string Format(long current, TimeSpan elapsed)
    {
        var text = new System.Text.StringBuilder(_options.Label);
        double seconds = elapsed.TotalSeconds;
        double rate = seconds > 0 ? current / seconds : 0;
        if (_options.Total is long total && total > 0)
        {
            double fraction = Math.Clamp((double)current / total, 0, 1);
            if (_options.Interactive)
            {
                int filled = (int)Math.Round(fraction * _options.BarWidth);
                text.Append(" [").Append('#', filled).Append('.', _options.BarWidth - filled).Append(']');
            }
            text.Append(CultureInfo.InvariantCulture, $" {fraction * 100,3:0}% {Count(current)}/{Count(total)} {_options.Unit}");
            if (rate > 0 && current < total)
            {
                text.Append(CultureInfo.InvariantCulture, $", {Count((long)rate)} {_options.Unit}/s, {Duration(TimeSpan.FromSeconds((total - current) / rate))} left");
            }
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $" {Count(current)} {_options.Unit}");
            if (rate > 0) text.Append(CultureInfo.InvariantCulture, $", {Count((long)rate)} {_options.Unit}/s");
        }
        text.Append(CultureInfo.InvariantCulture, $", {Duration(elapsed)} elapsed");
        return text.ToString();
    }

    private void Draw(TimeSpan now, bool final)
    {
        string line = Format(_current, now);
        if (_options.Interactive)
        {
            // Pad over the previous, possibly longer, line; the carriage return keeps the cursor on this line.
            _writer.Write('\r' + line.PadRight(_lastWidth));
            _lastWidth = line.Length;
            if (final) _writer.WriteLine();
        }
        else
        {
            _writer.WriteLine(line);
        }
        _writer.Flush();
    }

    private static string Count(long value) => value switch
    {
        >= 10_000_000_000 => (value / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "G",
        >= 10_000_000 => (value / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M",
        >= 100_000 => (value / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    private static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}:{span.Seconds:00}");
}
