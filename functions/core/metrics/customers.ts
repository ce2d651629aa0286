/**
 * The customers dataset: acquisition channel (joined to new customers for `cac` per
 * channel) and creation and onboarding times (for `first_week_engagement`). One small
 * record per customer; customers are few.
 */
import type { CustomerRow } from '../datasets/rows';

export interface CustomerRecord {
  createdAt: number;
  channel: string | undefined;
  onboardedAt: number | undefined;
}

export class Customers {
  rows = 0;
  /** Whether any row has an `onboarding_completed_at` value (then the column is the source). */
  hasOnboardingColumn = false;
  readonly byId = new Map<string, CustomerRecord>();

  add(row: CustomerRow): void {
    this.rows++;
    if (row.onboarding_completed_at !== undefined) this.hasOnboardingColumn = true;
    this.byId.set(row.customer_id, {
      createdAt: row.created_at,
      channel: row.acquisition_channel,
      onboardedAt: row.onboarding_completed_at,
    });
  }
}
