namespace AsyncCombinators.Internal;

internal static class Validate
{
    /// <summary>The value of an omitted <c>maxConcurrency</c>: unbounded.</summary>
    public const int Unbounded = int.MaxValue;

    public static void MaxConcurrency(int maxConcurrency, string paramName)
    {
        if (maxConcurrency < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, maxConcurrency, "At least one operation must be allowed to run.");
        }
    }
}
