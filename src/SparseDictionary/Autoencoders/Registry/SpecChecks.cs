namespace SparseDictionary.Autoencoders;

/// <summary>The range checks architecture specs share; each throws an <see cref="ArgumentException"/> naming the parameter.</summary>
public static class SpecChecks
{
    /// <summary>A finite value ≥ 0.</summary>
    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and ≥ 0.");
    }

    /// <summary>A finite value &gt; 0 (or none, where <paramref name="value"/> is optional).</summary>
    public static void Positive(double? value, string name)
    {
        if (value is { } v && (!(v > 0) || !double.IsFinite(v))) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive.");
    }

    /// <summary>A whole number &gt; 0 (or none, where <paramref name="value"/> is optional).</summary>
    public static void Positive(long? value, string name)
    {
        if (value is <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    /// <summary>A value in [0, 1) (or none).</summary>
    public static void Fraction(double? value, string name)
    {
        if (value is { } v && !(v is >= 0 and < 1)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
    }

    /// <summary>A defined enum value.</summary>
    public static void Defined<TEnum>(TEnum value, string name) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} is not a {typeof(TEnum).Name}.");
    }
}
