// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Staking} from "./Staking.sol";

/// @title AttributionLog: per inference/retrieval event, the contributing items with uint32 weights and the
/// paid usage fee (msg.value covers the batch). Accumulates U_a and V_a of the current epoch per identity,
/// the inputs of settlement. Items flagged by an upheld challenge are SKIPPED (not rejected), so a batch
/// built off-chain before a ruling still lands: they count neither in W_j nor earn, and the fee stays in
/// the pool. Items within an event must be strictly increasing (no double counting).
abstract contract AttributionLog is Staking {
    struct AttributionInput {
        uint128 fee;
        uint64[] items;
        uint32[] weights;
    }

    error EmptyBatch();
    error EmptyEvent(uint256 index);
    error LengthMismatch(uint256 index, uint256 items, uint256 weights);
    error ZeroWeight(uint256 index, uint64 itemId);
    error UnsortedItems(uint256 index, uint64 itemId);
    error FeeMismatch(uint256 sent, uint256 expected);

    event Attributed(uint64 indexed eventId, uint256 indexed epoch, uint128 fee, uint256 countedWeight, uint64[] items, uint32[] weights);
    event EpochFunded(uint256 indexed epoch, address indexed from, uint256 amount);

    function logAttributions(AttributionInput[] calldata evs) external payable onlyRole(ATTRIBUTOR) {
        uint256 n = evs.length;
        if (n == 0) revert EmptyBatch();
        uint256 e = currentEpoch;
        Epoch storage ep = _epochs[e];
        mapping(address => Account) storage accts = _accounts[e];
        uint256 feeSum;
        uint64 eventId = eventCount;
        for (uint256 j; j < n; ++j) {
            AttributionInput calldata ev = evs[j];
            uint256 m = ev.items.length;
            if (m == 0) revert EmptyEvent(j);
            if (m != ev.weights.length) revert LengthMismatch(j, m, ev.weights.length);
            uint256 W;
            uint64 prev;
            for (uint256 k; k < m; ++k) {
                uint64 itemId = ev.items[k];
                if (itemId <= prev) revert UnsortedItems(j, itemId);
                prev = itemId;
                uint32 w = ev.weights[k];
                if (w == 0) revert ZeroWeight(j, itemId);
                if (!_item(itemId).flagged) W += w;
            }
            uint128 fee = ev.fee;
            feeSum += fee;
            if (W != 0) {
                for (uint256 k; k < m; ++k) {
                    Item storage it = _items[ev.items[k]];
                    if (it.flagged) continue;
                    uint32 w = ev.weights[k];
                    Account storage a = accts[it.owner];
                    if (a.usage == 0) ep.payees.push(it.owner);
                    a.usage += w;
                    a.volume += uint128((uint256(fee) * w) / W);
                }
            }
            emit Attributed(++eventId, e, fee, W, ev.items, ev.weights);
        }
        if (msg.value != feeSum) revert FeeMismatch(msg.value, feeSum);
        eventCount = eventId;
        ep.pool += _u128(msg.value);
    }

    /// Adds a subsidy to the open epoch's pool. Open to anyone: giving money away needs no permission.
    function fund() external payable {
        if (msg.value == 0) revert ZeroValue();
        _epochs[currentEpoch].pool += _u128(msg.value);
        emit EpochFunded(currentEpoch, msg.sender, msg.value);
    }
}
