using System.Globalization;
using System.Text.Json;

namespace MlOps.Platform;

/// <summary>The kind of a raw input value, before it is checked against the schema.</summary>
public enum RawKind
{
    /// <summary>No value: empty CSV cell, JSON null or absent.</summary>
    Missing,
    /// <summary>A number, in <see cref="RawValue.Number"/>.</summary>
    Number,
    /// <summary>Text that is not a number, in <see cref="RawValue.Text"/>.</summary>
    Text,
    /// <summary>Any other JSON value (true, false, an array, an object) or a string that is not valid Unicode; no feature or label accepts it.</summary>
    Other,
}

/// <summary>
/// A value as it arrived, from a CSV cell or a JSON property. Both sources are reduced to this
/// so that <see cref="ModelDefinition.Validate"/> checks them with one set of rules.
/// </summary>
public readonly record struct RawValue(RawKind Kind, double Number = 0, string? Text = null)
{
    /// <summary>The missing value.</summary>
    public static RawValue Missing { get; } = new(RawKind.Missing);

    /// <summary>A number, as a definition writes its canary.</summary>
    public static RawValue Of(double number) => new(RawKind.Number, number, number.ToString(CultureInfo.InvariantCulture));

    /// <summary>A text value, as a definition writes its canary.</summary>
    public static RawValue Of(string text) => new(RawKind.Text, Text: text);

    /// <summary>A CSV cell: empty is missing, numeric text is a number, anything else is text.</summary>
    public static RawValue FromCsv(string? cell)
    {
        var trimmed = cell?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return Missing;
        }

        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? new RawValue(RawKind.Number, number, trimmed)
            : new RawValue(RawKind.Text, Text: trimmed);
    }

    /// <summary>
    /// A JSON value: null is missing; strings are never numbers (no silent coercion). A number too large
    /// for a double (1e400) becomes infinity, which the schema refuses as not finite.
    /// </summary>
    public static RawValue FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => Missing,
        JsonValueKind.Number => new RawValue(
            RawKind.Number,
            element.TryGetDouble(out var number) ? number : Overflowed(element.GetRawText()),
            element.GetRawText()),
        JsonValueKind.String => TextOf(element),
        _ => new RawValue(RawKind.Other, Text: element.ValueKind.ToString().ToLowerInvariant()),
    };

    private static double Overflowed(string raw) => raw.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary>A string with an escaped lone surrogate (<c>"\ud800"</c>) is valid JSON but not text: refused, never thrown.</summary>
    private static RawValue TextOf(JsonElement element)
    {
        try
        {
            return new RawValue(RawKind.Text, Text: element.GetString());
        }
        catch (InvalidOperationException)
        {
            return new RawValue(RawKind.Other, Text: "text that is not valid Unicode");
        }
    }
}
