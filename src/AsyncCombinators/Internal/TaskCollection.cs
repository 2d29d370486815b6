using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>Turns a caller's collection into a validated array, enumerating it exactly once.</summary>
internal static class TaskCollection
{
    /// <summary>
    /// Returns the elements as an array, throwing <see cref="ArgumentNullException"/> for a null collection and
    /// <see cref="ArgumentException"/> for a null element. An array is returned as it is (not copied) unless
    /// <paramref name="copy"/> is set: use that when the result is kept beyond the call.
    /// </summary>
    public static T[] ToArray<T>(IEnumerable<T>? source, string paramName, bool copy)
        where T : class
    {
        if (source is null)
        {
            ThrowHelper.ThrowArgumentNull(paramName);
        }

        T[] items;
        if (source is T[] array)
        {
            items = copy && array.Length != 0 ? Copy(array) : array;
        }
        else if (source is ICollection<T> collection)
        {
            int count = collection.Count;
            if (count == 0)
            {
                return Array.Empty<T>();
            }

            items = new T[count];
            collection.CopyTo(items, 0);
        }
        else
        {
            items = new List<T>(source).ToArray();
        }

        foreach (T item in items)
        {
            if (item is null)
            {
                ThrowHelper.ThrowNullElement(paramName);
            }
        }

        return items;
    }

    /// <summary>A copy of <paramref name="items"/> (<see cref="Array.Clone"/> goes through the runtime's general object cloning).</summary>
    public static T[] Copy<T>(T[] items)
        where T : class
    {
        var copy = new T[items.Length];
        Array.Copy(items, copy, items.Length);
        return copy;
    }

    /// <summary>
    /// <see cref="ToArray{T}"/>, then <see cref="Distinct{T}"/>; a Done or Pending set that Wait returned is already
    /// distinct and free of nulls, so it is only copied (always a new array).
    /// </summary>
    public static T[] ToDistinctArray<T>(IEnumerable<T>? source, string paramName, bool copy)
        where T : Task
    {
        if (source is ReadOnlySegment<T> partition)
        {
            return partition.ToArray();
        }

        return Distinct(ToArray(source, paramName, copy));
    }

    /// <summary>
    /// Removes repeated tasks, keeping the first occurrence of each in input order. Returns <paramref name="items"/> itself
    /// when every task is distinct, which is the common case and is detected without allocating: a few tasks by comparing
    /// pairs, more with <see cref="IsDistinct{T}"/>.
    /// </summary>
    public static T[] Distinct<T>(T[] items)
        where T : Task
    {
        bool distinct = items.Length <= PairwiseLimit ? IsDistinctByPairs(items) : IsDistinct(items);
        return distinct ? items : DistinctSlow(items);
    }

    /// <summary>Up to this many tasks, comparing every pair is cheaper than filling a table.</summary>
    private const int PairwiseLimit = 16;

    private static bool IsDistinctByPairs<T>(T[] items)
        where T : Task
    {
        for (int i = 1; i < items.Length; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(items[i], items[j]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Whether no task occurs twice in <paramref name="items"/>: an open-addressing set in a pooled table, hashed by
    /// <see cref="Task.Id"/>. The table holds positions in <paramref name="items"/> (plus one, zero being empty), not
    /// the tasks: storing integers needs no GC write barrier and leaves no reference in the pool. A
    /// <see cref="HashSet{T}"/> would allocate its buckets and entries on every call, more than the allocation targets
    /// of Wait and AsCompleted allow for each input.
    /// </summary>
    internal static bool IsDistinct<T>(T[] items)
        where T : Task
    {
        int size = 4;
        while (size < 2 * items.Length)
        {
            size <<= 1;
        }

        int[] table = Rent(size);
        try
        {
            int mask = size - 1;
            for (int i = 0; i < items.Length; i++)
            {
                T item = items[i];

                // Task.Id (assigned once) is cheaper than RuntimeHelpers.GetHashCode, which installs a hash code in the
                // header of every fresh task; the odd multiplier spreads consecutive ids over the table. Equality is by reference.
                int slot = (item.Id * -1640531535) & mask;
                int occupant;
                while ((occupant = table[slot]) != 0)
                {
                    if (ReferenceEquals(items[occupant - 1], item))
                    {
                        return false;
                    }

                    slot = (slot + 1) & mask;
                }

                table[slot] = i + 1;
            }

            return true;
        }
        finally
        {
#if !NETSTANDARD2_0
            System.Buffers.ArrayPool<int>.Shared.Return(table);
#endif
        }
    }

    private static int[] Rent(int size)
    {
#if NETSTANDARD2_0
        return new int[size];
#else
        // Cleared: the pool hands out arrays as their last user left them.
        int[] table = System.Buffers.ArrayPool<int>.Shared.Rent(size);
        Array.Clear(table, 0, size);
        return table;
#endif
    }

    private static T[] DistinctSlow<T>(T[] items)
        where T : Task
    {
        var seen = new HashSet<T>(ReferenceComparer<T>.Instance);
        var result = new List<T>(items.Length);
        foreach (T item in items)
        {
            if (seen.Add(item))
            {
                result.Add(item);
            }
        }

        return result.ToArray();
    }
}
