using System;
using System.Collections.Generic;

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
            items = copy && array.Length != 0 ? (T[])array.Clone() : array;
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
            items = Materialize(source);
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

    /// <summary>
    /// Removes repeated tasks, keeping the first occurrence of each in input order. Returns <paramref name="items"/> itself
    /// when every task is distinct, which is detected without allocating: up to 16 by comparing pairs, beyond that by
    /// sorting the tasks' ids in a pooled buffer (an id identifies one task).
    /// </summary>
    public static T[] Distinct<T>(T[] items)
        where T : System.Threading.Tasks.Task
    {
        if (items.Length < 2)
        {
            return items;
        }

        if (items.Length <= 16)
        {
            for (int i = 1; i < items.Length; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    if (ReferenceEquals(items[i], items[j]))
                    {
                        return DistinctSlow(items);
                    }
                }
            }

            return items;
        }

        int[] ids = RentIds(items.Length);
        try
        {
            for (int i = 0; i < items.Length; i++)
            {
                ids[i] = items[i].Id;
            }

            Array.Sort(ids, 0, items.Length);
            for (int i = 1; i < items.Length; i++)
            {
                if (ids[i] == ids[i - 1])
                {
                    return DistinctSlow(items);
                }
            }

            return items;
        }
        finally
        {
            ReturnIds(ids);
        }
    }

    private static int[] RentIds(int length) =>
#if NETSTANDARD2_0
        new int[length];
#else
        System.Buffers.ArrayPool<int>.Shared.Rent(length);
#endif

    private static void ReturnIds(int[] ids)
    {
#if !NETSTANDARD2_0
        System.Buffers.ArrayPool<int>.Shared.Return(ids);
#endif
    }

    private static T[] DistinctSlow<T>(T[] items)
        where T : class
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

    private static T[] Materialize<T>(IEnumerable<T> source)
    {
        var list = new List<T>();
        foreach (T item in source)
        {
            list.Add(item);
        }

        return list.Count == 0 ? Array.Empty<T>() : list.ToArray();
    }
}
