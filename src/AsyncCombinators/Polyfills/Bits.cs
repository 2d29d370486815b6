namespace AsyncCombinators.Internal;

/// <summary>Trailing zero counts, through <c>System.Numerics.BitOperations</c> where the target has it.</summary>
internal static class Bits
{
    /// <summary>The number of trailing zero bits of <paramref name="value"/> (32 for zero).</summary>
    public static int TrailingZeroCount(uint value)
    {
#if NETSTANDARD2_0
        int count = 0;
        while (count < 32 && (value & 1u) == 0)
        {
            value >>= 1;
            count++;
        }

        return count;
#else
        return System.Numerics.BitOperations.TrailingZeroCount(value);
#endif
    }
}
