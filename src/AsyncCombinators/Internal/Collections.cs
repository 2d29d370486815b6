using System;

namespace AsyncCombinators.Internal;

/// <summary>Result arrays for sources whose length is known only at their end.</summary>
internal static class Collections
{
    /// <summary>Grows <paramref name="array"/> (doubling) so that it holds at least <paramref name="length"/> elements.</summary>
    public static void EnsureCapacity<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Array.Resize(ref array, Math.Max(length, Math.Max(4, array.Length * 2)));
        }
    }

    /// <summary>Cuts <paramref name="array"/> to <paramref name="length"/> elements (no copy when it fits already).</summary>
    public static void Trim<T>(ref T[] array, int length)
    {
        if (array.Length != length)
        {
            Array.Resize(ref array, length);
        }
    }
}
