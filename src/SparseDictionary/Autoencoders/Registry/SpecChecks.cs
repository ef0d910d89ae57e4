namespace SparseDictionary.Autoencoders;

/// <summary>The range checks architecture specs share; each throws an <see cref="ArgumentException"/> naming the parameter.</summary>
public static class SpecChecks
{
    /// <summary>A finite value ≥ 0.</summary>
    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, Invariant($"{name} must be finite and ≥ 0, not {value}."));
    }

    /// <summary>A finite value &gt; 0 (or none, where <paramref name="value"/> is optional).</summary>
    public static void Positive(double? value, string name)
    {
        if (value is { } v && (!(v > 0) || !double.IsFinite(v))) throw new ArgumentOutOfRangeException(name, value, Invariant($"{name} must be finite and positive, not {v}."));
    }

    /// <summary>A whole number &gt; 0 (or none, where <paramref name="value"/> is optional).</summary>
    public static void Positive(long? value, string name)
    {
        if (value is <= 0) throw new ArgumentOutOfRangeException(name, value, Invariant($"{name} must be positive, not {value}."));
    }

    /// <summary>A whole number ≥ 0 (or none).</summary>
    public static void NotNegative(long? value, string name)
    {
        if (value is < 0) throw new ArgumentOutOfRangeException(name, value, Invariant($"{name} must be ≥ 0, not {value}."));
    }

    /// <summary>A value in [0, 1) (or none).</summary>
    public static void Fraction(double? value, string name)
    {
        if (value is { } v && !(v is >= 0 and < 1)) throw new ArgumentOutOfRangeException(name, value, Invariant($"{name} must be in [0, 1), not {v}."));
    }

    /// <summary>
    /// The message of <paramref name="e"/> without the lines .NET appends (<c>(Parameter '…')</c>, <c>Actual value was …</c>),
    /// with the parameter's .NET name replaced by <paramref name="shownName"/> (its snake_case name, say).
    /// </summary>
    public static string PlainMessage(ArgumentException e, string? shownName = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0) message = message[..newline].TrimEnd('\r');
        return shownName is not null && e.ParamName is { Length: > 0 } param ? message.Replace(param, shownName, StringComparison.Ordinal) : message;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>A defined enum value.</summary>
    public static void Defined<TEnum>(TEnum value, string name) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} is not a {typeof(TEnum).Name}.");
    }
}
