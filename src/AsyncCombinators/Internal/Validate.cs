namespace AsyncCombinators.Internal;

internal static class Validate
{
    /// <summary>The value of an omitted <c>maxConcurrency</c>: unbounded.</summary>
    public const int Unbounded = int.MaxValue;

    /// <summary>Validates the options of a combinator that takes them in place of <c>maxConcurrency</c>.</summary>
    public static void Options(ConcurrencyOptions? options, string paramName, bool requireMaxConcurrency = false)
    {
        ThrowHelper.ThrowIfNull(options, paramName);
        if (requireMaxConcurrency && options.MaxConcurrency is null)
        {
            throw new System.ArgumentException("Map needs ConcurrencyOptions.MaxConcurrency: it bounds both the running selectors and the results held.", paramName);
        }
    }

    public static void MaxConcurrency(int maxConcurrency, string paramName)
    {
        if (maxConcurrency < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, maxConcurrency, "At least one operation must be allowed to run.");
        }
    }
}
