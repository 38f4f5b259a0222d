//! The Diesel schema shared by SQLite and PostgreSQL. Only column types both support: ids and JSON
//! as text, times as `Timestamp` (always UTC), money as `BigInt` cents.
//! Keep in step with `migrations/*/`; the schema-parity test compares both live databases.

diesel::table! {
    organizations (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        is_enterprise -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        storage_bytes -> BigInt,
        billing_checkout_session -> Nullable<Text>,
        over_plan_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    stored_objects (key) {
        key -> Text,
        organization_id -> Text,
        page_id -> Nullable<Text>,
        bytes -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    groups (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        group_id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        stripe_account -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        stripe_charges_enabled -> Bool,
        stripe_payouts_enabled -> Bool,
        stripe_details_submitted -> Bool,
        email_confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    roles (id) {
        id -> Text,
        name -> Text,
    }
}

diesel::table! {
    user_roles (user_id, role_id) {
        user_id -> Text,
        role_id -> Text,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        price_minor -> BigInt,
        currency -> Text,
        interval -> Text,
        is_visible -> Bool,
        features -> Text,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Text,
        user_id -> Text,
        plan_id -> Text,
        start_date -> Timestamp,
        end_date -> Nullable<Timestamp>,
        status -> Text,
        stripe_subscription_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        price_minor -> BigInt,
        currency -> Text,
        stripe_customer_id -> Nullable<Text>,
        cancel_at_period_end -> Bool,
        last_event_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        description -> Text,
        price_minor -> BigInt,
        currency -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        is_active -> Bool,
        organization_id -> Nullable<Text>,
        download_limit -> Integer,
        download_days -> Integer,
        sample_key -> Nullable<Text>,
        sample_type -> Nullable<Text>,
        group_id -> Nullable<Text>,
    }
}

diesel::table! {
    files (id) {
        id -> Text,
        product_id -> Text,
        file_name -> Text,
        file_type -> Text,
        storage_key -> Text,
        file_size_bytes -> BigInt,
        uploaded_at -> Timestamp,
        sha256 -> Text,
    }
}

diesel::table! {
    pages (id) {
        id -> Text,
        short_id -> Text,
        user_id -> Text,
        #[sql_name = "type"]
        page_type -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        launch_at -> Nullable<Timestamp>,
        is_active -> Bool,
        customization -> Text,
        settings -> Text,
        updated_at -> Timestamp,
        view_count -> BigInt,
        organization_id -> Nullable<Text>,
        group_id -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        hits -> Integer,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    page_contents (id) {
        id -> Text,
        page_id -> Text,
        content_type -> Text,
        product_id -> Nullable<Text>,
        title -> Text,
        description -> Text,
        price_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        metadata -> Text,
        position -> Integer,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        organization_id -> Text,
        page_id -> Nullable<Text>,
        product_id -> Nullable<Text>,
        buyer_email -> Text,
        payment_id -> Nullable<Text>,
        amount_paid -> BigInt,
        currency -> Text,
        created_at -> Timestamp,
        status -> Text,
        download_attempts -> Integer,
        last_download_at -> Nullable<Timestamp>,
        amount_due -> BigInt,
        quantity -> Integer,
        item_title -> Text,
        discount_code -> Nullable<Text>,
        bonus_description -> Nullable<Text>,
        hold_expires_at -> Nullable<Timestamp>,
        client_ip -> Nullable<Text>,
        provider -> Text,
        checkout_session_id -> Nullable<Text>,
        access_token_hash -> Text,
        download_token_hash -> Nullable<Text>,
        download_limit -> Integer,
        download_days -> Integer,
        downloads_until -> Nullable<Timestamp>,
        amount_refunded -> BigInt,
        updated_at -> Timestamp,
        refund_next_at -> Nullable<Timestamp>,
        refund_attempts -> Integer,
        checkout_url -> Nullable<Text>,
        bytes_served -> BigInt,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        page_id -> Text,
        email -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        registered_at -> Timestamp,
        custom_fields -> Text,
        status -> Text,
        seq -> Nullable<BigInt>,
        manage_token_hash -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        updated_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        attended_at -> Nullable<Timestamp>,
        unsubscribed_at -> Nullable<Timestamp>,
        launch_mailed_at -> Nullable<Timestamp>,
        reminded_day_at -> Nullable<Timestamp>,
        reminded_hour_at -> Nullable<Timestamp>,
        calendar_sequence -> Integer,
    }
}

diesel::table! {
    registration_limit_hits (page_id) {
        page_id -> Text,
        refused -> BigInt,
        last_refused_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        organization_id -> Text,
        group_id -> Text,
        email -> Text,
        roles -> Text,
        token_hash -> Text,
        invited_by -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    account_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        new_email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    security_log (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        email -> Nullable<Text>,
        ip -> Nullable<Text>,
        event -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Nullable<Text>,
        headers -> Text,
        attachments -> Text,
        created_at -> Timestamp,
        due_at -> Timestamp,
        attempts -> Integer,
        leased_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    payment_events (id) {
        id -> Text,
        event_type -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    test_payments (id) {
        id -> Text,
        client_reference_id -> Text,
        description -> Text,
        amount -> BigInt,
        currency -> Text,
        customer_email -> Text,
        success_url -> Text,
        cancel_url -> Text,
        status -> Text,
        payment_intent -> Nullable<Text>,
        amount_refunded -> BigInt,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        mode -> Text,
        metadata -> Text,
    }
}

diesel::joinable!(groups -> organizations (organization_id));
diesel::joinable!(users -> groups (group_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(user_roles -> roles (role_id));
diesel::joinable!(subscriptions -> users (user_id));
diesel::joinable!(account_tokens -> users (user_id));
diesel::joinable!(invitations -> organizations (organization_id));
diesel::joinable!(invitations -> groups (group_id));
diesel::joinable!(subscriptions -> plans (plan_id));
diesel::joinable!(products -> users (user_id));
diesel::joinable!(products -> organizations (organization_id));
diesel::joinable!(files -> products (product_id));
diesel::joinable!(pages -> users (user_id));
diesel::joinable!(pages -> organizations (organization_id));
diesel::joinable!(page_contents -> pages (page_id));
diesel::joinable!(orders -> pages (page_id));
diesel::joinable!(registrations -> pages (page_id));
diesel::joinable!(registration_limit_hits -> pages (page_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(stored_objects -> organizations (organization_id));

diesel::table! {
    test_subscriptions (id) {
        id -> Text,
        customer_id -> Text,
        customer_email -> Text,
        description -> Text,
        amount -> BigInt,
        currency -> Text,
        status -> Text,
        metadata -> Text,
        current_period_start -> Timestamp,
        current_period_end -> Timestamp,
        cancel_at_period_end -> Bool,
        fail_next_payment -> Bool,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    groups,
    users,
    roles,
    user_roles,
    plans,
    subscriptions,
    products,
    files,
    pages,
    page_contents,
    orders,
    registrations,
    sessions,
    security_log,
    rate_limits,
    stored_objects,
    mail_outbox,
    payment_events,
    test_payments,
    registration_limit_hits,
    account_tokens,
    invitations,
    test_subscriptions,
);
